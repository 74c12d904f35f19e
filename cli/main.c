#include <stdio.h>
#include "zslab.h"
int main(void) { printf("zslab %s\n", zs_version_string()); return 0; }
