/* The bench's baseline program: a minimal static Linux binary that exits at once. */
void _start(void) {
  __asm__ volatile("mov $60, %eax\n xor %edi, %edi\n syscall");
  for (;;) {
  }
}
