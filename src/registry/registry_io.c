#include "registry/registry.h"
#include "core/banned.h"

void registry_io_routes_register(Router *r);

void registry_io_routes_register(Router *r)
{
    (void)r;
}

int registry_cli_import(int argc, char **argv)
{
    (void)argc; (void)argv;
    return 2;
}

int registry_cli_export(int argc, char **argv)
{
    (void)argc; (void)argv;
    return 2;
}
