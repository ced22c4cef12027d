// The Catch2 v2 main for build/firn-tests; every tests/unit/**/*_test.cc links into it.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
