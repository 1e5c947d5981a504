/* main.c: placeholder until the daemon lands. */
#include "agent.h"
int
main(void)
{
	return 0;
}
