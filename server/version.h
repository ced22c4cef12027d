// The version constants live in modules/version.h, where INFO and HELLO can read them.
#pragma once

#include "modules/version.h"
