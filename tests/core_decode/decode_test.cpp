#include <gtest/gtest.h>
#include "helpers.h"
TEST(Decode, Placeholder) { SUCCEED(); }
