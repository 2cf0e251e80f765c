/* hold-wake: the latency benchmark's target; says "running" on fd 3. */
#include <unistd.h>

int main(void)
{
	return write(3, "r", 1) == 1 ? 0 : 1;
}
