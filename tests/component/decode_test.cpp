#include <gtest/gtest.h>
#include "component/component.h"
