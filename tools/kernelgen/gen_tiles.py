#!/usr/bin/env python3
"""Prints the register-tile methods of VectorTileKernel.java, so that their named accumulators cannot be mistyped:
tiles of 1 to 6 rows x 4 vectors (a whole panel).
Each tile starts its accumulators from init (row r at iOff + r * iStride: iStride 0 gives every row the same start,
a bias; init = z at zOff, zStride accumulates in place), runs the k loop over a and w, and stores the result to z.
One loop and no branch: a tile with a second, conditional k loop made C2 (Java 17) compile the tiles into code 5-20x
slower in 2 of 5 JVMs (measured).
Usage: python3 tools/kernelgen/gen_tiles.py > /tmp/tiles.java, then paste over the tiles in VectorTileKernel.java."""


def k_loop(rows, vectors, a, depth, w, w_off):
    out = []
    # k from 0 and one induction variable: with a second one (wi += W), or k from k0, C2 ran this loop at ~70 % of
    # the FMA peak in more runs (measured on Java 17).
    out.append(f"        for (int k = 0; k < {depth}; k++) {{")
    out.append(f"            int wi = {w_off} + k * W;")
    for v in range(vectors):
        off = "wi" if v == 0 else f"wi + {v} * L" if v > 1 else "wi + L"
        out.append(f"            FloatVector b{v} = FloatVector.fromArray(S, {w}, {off});")
    for r in range(rows):
        decl = "FloatVector " if r == 0 else ""
        out.append(f"            {decl}x = FloatVector.broadcast(S, {a}{r}[k]);")
        out.append("            " + " ".join(f"c{r}{v} = x.fma(b{v}, c{r}{v});" for v in range(vectors)))
    out.append("        }")
    return out


def tile(rows, vectors=4):
    name = f"tile{rows}"
    out = []
    out.append(f"    /** {rows} row{'s' if rows > 1 else ''} x {vectors} vectors (a whole panel): "
               f"{rows * vectors} accumulators in registers. */")
    out.append(f"    private static void {name}(float[] init, int iOff, int iStride, float[][] a, int row, int depth,")
    out.append(f"                              float[] w, int wOff, float[] z, int zOff, int zStride) {{")
    for r in range(rows):
        io = "iOff" if r == 0 else f"iOff + {r} * iStride" if r > 1 else "iOff + iStride"
        out.append(f"        int i{r} = {io};")
        for v in range(vectors):
            off = f"i{r}" if v == 0 else f"i{r} + {v} * L" if v > 1 else f"i{r} + L"
            out.append(f"        FloatVector c{r}{v} = FloatVector.fromArray(S, init, {off});")
    for r in range(rows):
        out.append(f"        float[] a{r} = a[row];" if r == 0 else f"        float[] a{r} = a[row + {r}];")
    out += k_loop(rows, vectors, "a", "depth", "w", "wOff")
    for r in range(rows):
        zo = "zOff" if r == 0 else f"zOff + {r} * zStride" if r > 1 else "zOff + zStride"
        out.append(f"        int z{r} = {zo};")
        for v in range(vectors):
            off = f"z{r}" if v == 0 else f"z{r} + {v} * L" if v > 1 else f"z{r} + L"
            out.append(f"        c{r}{v}.intoArray(z, {off});")
    out.append("    }")
    return "\n".join(out)


print("\n\n".join([tile(r) for r in (6, 5, 4, 3, 2, 1)]))
