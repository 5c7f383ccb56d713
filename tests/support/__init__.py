"""What the tests share: a factory builder, the exact reference, and ways to run partcost."""
