#pragma once
/* The life circle's routes (/api/v1/geo/…): see lifecircle_routes.c and docs/API.md (生活圈). */
#include "http/router.h"

void lifecircle_routes_register(Router *r);
