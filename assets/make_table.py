"""Writes assets/tables/gene_terms.csv (run: python assets/make_table.py).

A made-up table in the shape of the source tutorial's data: one row per gene, one 0/1 column
per gene-ontology term. Four groups of genes are planted: each group shares a set of terms
that its genes mostly have and others seldom do, so a good encoder puts each group together
in its codes. The `pathway` column names each gene's group, for colouring the codes, and is
text, so the lab does not learn from it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parent / "tables" / "gene_terms.csv"
PATHWAYS = ("apoptosis", "cell cycle", "immune response", "lipid metabolism")
GENES_PER_PATHWAY = 60
TERMS = 48
TERMS_PER_PATHWAY = 10
P_OWN_TERM = 0.75  # a gene has its pathway's terms this often
P_BACKGROUND = 0.08  # and any other term this often


def gene_terms(seed: int = 7) -> tuple[list[str], list[str], list[str], np.ndarray]:
    """(gene ids, their pathways, term names, 0/1 matrix genes x terms), shuffled rows."""
    rng = np.random.default_rng(seed)
    terms = [f"GO:{6000 + 37 * i:07d}" for i in range(TERMS)]
    own = rng.permutation(TERMS)[: TERMS_PER_PATHWAY * len(PATHWAYS)].reshape(len(PATHWAYS), -1)
    rows, pathways = [], []
    for p, pathway in enumerate(PATHWAYS):
        chance = np.full(TERMS, P_BACKGROUND)
        chance[own[p]] = P_OWN_TERM
        rows.append(rng.random((GENES_PER_PATHWAY, TERMS)) < chance)
        pathways += [pathway] * GENES_PER_PATHWAY
    matrix = np.vstack(rows).astype(int)
    order = rng.permutation(len(matrix))
    genes = [f"GENE{i + 1:04d}" for i in range(len(matrix))]
    return genes, [pathways[i] for i in order], terms, matrix[order]


def main() -> None:
    genes, pathways, terms, matrix = gene_terms()
    lines = [",".join(["gene", "pathway", *terms])]
    for gene, pathway, row in zip(genes, pathways, matrix, strict=True):
        lines.append(",".join([gene, pathway, *map(str, row)]))
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {OUT} ({len(genes)} genes x {len(terms)} terms)")


if __name__ == "__main__":
    main()
