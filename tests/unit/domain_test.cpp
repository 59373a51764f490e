#include "domain/types.hpp"
#include <gtest/gtest.h>
TEST(placeholder, builds) { EXPECT_EQ(eventd::domain::normalise_email(" A@B.se "), "a@b.se"); }
