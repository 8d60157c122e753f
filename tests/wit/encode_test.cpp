// Component-type encoding tests (filled in with the encoder).
#include <gtest/gtest.h>

#include "common.h"
