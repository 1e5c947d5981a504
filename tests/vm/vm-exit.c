/*
 * vm-exit.c: ends the test VM with a status the host can read.  QEMU's
 * isa-debug-exit device (-device isa-debug-exit,iobase=0xf4,iosize=0x04)
 * exits QEMU with status (value << 1) | 1 when a byte is written to its
 * port, so 0 here becomes 1 on the host, 1 becomes 3, and so on.  Built
 * static: it runs as the very last thing, whatever else is broken.
 *
 * Usage: vm-exit [STATUS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/io.h>
#include <unistd.h>

#define DEBUG_EXIT_PORT	0xf4

int
main(int argc, char **argv)
{
	int	status = argc > 1 ? atoi(argv[1]) : 0;

	if (status < 0 || status > 127)
		status = 127;
	sync();
	if (ioperm(DEBUG_EXIT_PORT, 4, 1) == -1) {
		perror("vm-exit: ioperm");
		return 1;
	}
	outb((unsigned char)status, DEBUG_EXIT_PORT);
	/* Only reached without the device: QEMU would have exited. */
	fprintf(stderr, "vm-exit: no isa-debug-exit device\n");
	return 1;
}
