#include "domain/types.hpp"
#include <gtest/gtest.h>
TEST(placeholder_api, builds) { EXPECT_EQ(eventd::domain::normalise_email(" A@B.se "), "a@b.se"); }
