"""Your katas: one module per kata, stubs until you write them. See the README."""
