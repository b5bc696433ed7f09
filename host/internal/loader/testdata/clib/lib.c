/* A plain C shared library. */
int add(int a, int b) { return a + b; }
