#!/usr/bin/env python3
"""Prints the register-tile methods of VectorTileKernel.java, so that their named accumulators cannot be mistyped:
tiles of 1 to 6 rows x 4 vectors (a whole panel).
Each tile starts its accumulators from init (row r at iOff + r * iStride: iStride 0 gives every row the same start,
a bias; init = z at zOff, zStride accumulates in place), runs the k loop over a and w, and stores the result to z.
One loop and no branch: a tile with a second, conditional k loop made C2 (Java 17) compile the tiles into code 5-20x
slower in 2 of 5 JVMs (measured).
Usage: python3 tools/kernelgen/gen_tiles.py > /tmp/tiles.java, then paste over the tiles in VectorTileKernel.java."""


def plus(base, n, step):
    """base, base + step or base + n * step, as the Java source writes them."""
    return base if n == 0 else f"{base} + {step}" if n == 1 else f"{base} + {n} * {step}"


def tile(rows, vectors=4):
    out = [f"    /** {rows} row{'s' if rows > 1 else ''} x {vectors} vectors (a whole panel): "
           f"{rows * vectors} accumulators in registers. */",
           f"    private static void tile{rows}(float[] init, int iOff, int iStride, float[][] a, int row, int depth,",
           f"                              float[] w, int wOff, float[] z, int zOff, int zStride) {{"]
    for r in range(rows):
        out.append(f"        int i{r} = {plus('iOff', r, 'iStride')};")
        for v in range(vectors):
            out.append(f"        FloatVector c{r}{v} = FloatVector.fromArray(S, init, {plus(f'i{r}', v, 'L')});")
    for r in range(rows):
        out.append(f"        float[] a{r} = a[{'row' if r == 0 else f'row + {r}'}];")
    # k from 0 and one induction variable: with a second one (wi += W), or k from k0, C2 ran this loop at ~70 % of
    # the FMA peak in more runs (measured on Java 17).
    out.append("        for (int k = 0; k < depth; k++) {")
    out.append("            int wi = wOff + k * W;")
    for v in range(vectors):
        out.append(f"            FloatVector b{v} = FloatVector.fromArray(S, w, {plus('wi', v, 'L')});")
    for r in range(rows):
        decl = "FloatVector " if r == 0 else ""
        out.append(f"            {decl}x = FloatVector.broadcast(S, a{r}[k]);")
        out.append("            " + " ".join(f"c{r}{v} = x.fma(b{v}, c{r}{v});" for v in range(vectors)))
    out.append("        }")
    for r in range(rows):
        out.append(f"        int z{r} = {plus('zOff', r, 'zStride')};")
        for v in range(vectors):
            out.append(f"        c{r}{v}.intoArray(z, {plus(f'z{r}', v, 'L')});")
    out.append("    }")
    return "\n".join(out)


print("\n\n".join([tile(r) for r in (6, 5, 4, 3, 2, 1)]))
