/*
 * VBoxSDL: runs one virtual machine with an SDL2 window.
 */
#include <stdio.h>

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "VBoxSDL: error: running virtual machines is not available in this build yet\n");
	return 1;
}
