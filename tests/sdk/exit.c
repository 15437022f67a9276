/* check-sdk rung 1: reaching main through the SDK's ld.so and libc, and returning a code. */
int main(void) { return 42; }
