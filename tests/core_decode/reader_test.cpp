#include <gtest/gtest.h>
#include "core/opcodes.h"
using namespace compono::core;
TEST(Reader, Placeholder) { SUCCEED(); }
