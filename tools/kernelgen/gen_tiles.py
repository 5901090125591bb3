#!/usr/bin/env python3
"""Prints the register-tile methods of VectorTileKernel.java, so that their named accumulators cannot be mistyped:
tiles of 1 to 6 rows x 4 vectors (a whole panel) and of 8 rows x 2 vectors (half a panel).
Usage: python3 tools/kernelgen/gen_tiles.py > /tmp/tiles.java, then paste over the tiles in VectorTileKernel.java."""


def tile(rows, vectors):
    name = f"tile{rows}" if vectors == 4 else f"tile{rows}x{vectors}"
    out = []
    what = "a whole panel" if vectors == 4 else f"{vectors} of a panel's 4 vectors, from wOff and zOff"
    out.append(f"    /** {rows} row{'s' if rows > 1 else ''} x {vectors} vectors ({what}): "
               f"{rows * vectors} accumulators in registers. */")
    out.append(f"    private static void {name}(float[][] a, int row, int depth, float[] w, int wOff, float[] z, int zOff,")
    out.append(f"                              int zStride) {{")
    for r in range(rows):
        out.append(f"        float[] a{r} = a[row];" if r == 0 else f"        float[] a{r} = a[row + {r}];")
    for r in range(rows):
        zo = "zOff" if r == 0 else f"zOff + {r} * zStride" if r > 1 else "zOff + zStride"
        out.append(f"        int z{r} = {zo};")
        for v in range(vectors):
            off = f"z{r}" if v == 0 else f"z{r} + {v} * L" if v > 1 else f"z{r} + L"
            out.append(f"        FloatVector c{r}{v} = FloatVector.fromArray(S, z, {off});")
    # k from 0 and one induction variable: with a second one (wi += W), or k from k0, C2 ran this loop at ~70 % of
    # the FMA peak in more runs (measured on Java 17).
    out.append("        for (int k = 0; k < depth; k++) {")
    out.append("            int wi = wOff + k * W;")
    for v in range(vectors):
        off = "wi" if v == 0 else f"wi + {v} * L" if v > 1 else "wi + L"
        out.append(f"            FloatVector b{v} = FloatVector.fromArray(S, w, {off});")
    for r in range(rows):
        decl = "FloatVector " if r == 0 else ""
        out.append(f"            {decl}x = FloatVector.broadcast(S, a{r}[k]);")
        out.append("            " + " ".join(f"c{r}{v} = x.fma(b{v}, c{r}{v});" for v in range(vectors)))
    out.append("        }")
    for r in range(rows):
        for v in range(vectors):
            off = f"z{r}" if v == 0 else f"z{r} + {v} * L" if v > 1 else f"z{r} + L"
            out.append(f"        c{r}{v}.intoArray(z, {off});")
    out.append("    }")
    return "\n".join(out)


print("\n\n".join([tile(r, 4) for r in (6, 5, 4, 3, 2, 1)] + [tile(8, 2)]))
