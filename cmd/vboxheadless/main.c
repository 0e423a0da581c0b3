/*
 * VBoxHeadless: runs one virtual machine in the foreground without a
 * display.  The VMM behind it is lib/vmm.
 */
#include <stdio.h>

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "VBoxHeadless: error: running virtual machines is not available in this build yet\n");
	return 1;
}
