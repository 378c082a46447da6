"""Molecule drawings for the page: RDKit SVG of the heavy atoms with their input numbers, plus
one transparent circle per atom (``<circle class="atom-spot" data-atom="i">``) that the page
lights up and listens to for hovering."""

from __future__ import annotations

from rdkit import Chem
from rdkit.Chem.Draw import rdMolDraw2D

from ..plot import depiction


def molecule_svg(mol: Chem.Mol, notes: dict[int, str] | None = None, size: tuple[int, int] = (460, 360)) -> str:
    """SVG text of ``mol``'s heavy atoms.

    Parameters
    ----------
    mol : a molecule whose atom indices are the input order (explicit H are left out of the
        drawing; their numbers stay those of ``mol``).
    notes : text per atom index drawn beside the atom after its number (e.g. a shift).
    size : width and height in pixels.
    """
    heavy = depiction(mol, notes)
    index = [atom.GetIntProp("input_index") for atom in heavy.GetAtoms()]
    drawer = rdMolDraw2D.MolDraw2DSVG(*size)
    options = drawer.drawOptions()
    options.annotationFontScale = 0.6
    options.clearBackground = False
    options.prepareMolsBeforeDrawing = False
    drawer.DrawMolecule(rdMolDraw2D.PrepareMolForDrawing(heavy, addChiralHs=False))
    drawer.FinishDrawing()
    radius = 0.45 * drawer.FontSize() + 4
    spots = "".join(
        f'<circle class="atom-spot" data-atom="{i}" cx="{p.x:.1f}" cy="{p.y:.1f}" r="{radius:.1f}"/>'
        for i, p in ((i, drawer.GetDrawCoords(k)) for k, i in enumerate(index)))
    return drawer.GetDrawingText().replace("</svg>", f"<g class='atom-spots'>{spots}</g></svg>")
