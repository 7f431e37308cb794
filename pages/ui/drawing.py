"""A drawing pad for one digit: an inline Streamlit component, no package, no CDN.

The user draws white strokes on black with a mouse, pen or finger, as MNIST digits look; when
a stroke ends, the pad sends its PNG (as a data URL) to Python.
"""

from __future__ import annotations

import base64
import binascii

import streamlit as st

from ae_core.i18n import _

PNG_PREFIX = "data:image/png;base64,"
MAX_DRAWING_BYTES = 2 * 1024 * 1024

_HTML = """
<div class="pad">
  <canvas width="280" height="280" aria-label="Draw a digit here"></canvas>
  <button type="button">Clear</button>
</div>
"""

_CSS = """
.pad { display: flex; flex-direction: column; gap: 0.5rem; align-items: flex-start; }
canvas { width: 280px; height: 280px; background: #000; border-radius: 0.5rem;
         cursor: crosshair; touch-action: none; }
button { font: inherit; padding: 0.25rem 0.9rem; border-radius: 0.5rem; cursor: pointer;
         border: 1px solid var(--st-border-color, #ccc); background: transparent;
         color: var(--st-text-color, inherit); }
"""

_JS = """
export default function(component) {
  const { parentElement, setStateValue, data } = component;
  const canvas = parentElement.querySelector('canvas');
  const ctx = canvas.getContext('2d');
  const clear = () => { ctx.fillStyle = '#000'; ctx.fillRect(0, 0, canvas.width, canvas.height); };
  clear();
  // Roughly MNIST's stroke: about a tenth of the digit's height.
  ctx.strokeStyle = '#fff'; ctx.fillStyle = '#fff';
  ctx.lineWidth = 20; ctx.lineCap = 'round'; ctx.lineJoin = 'round';
  // The page sends the last drawing back (a rerun remounts the pad) and its words in the
  // reader's language.
  const { png, clear_label, pad_label } = data || {};
  if (clear_label) parentElement.querySelector('button').textContent = clear_label;
  if (pad_label) canvas.setAttribute('aria-label', pad_label);
  if (typeof png === 'string' && png.startsWith('data:image/png;base64,')) {
    const previous = new Image();
    previous.onload = () => ctx.drawImage(previous, 0, 0);
    previous.src = png;
  }
  let last = null;
  const at = (e) => {
    const r = canvas.getBoundingClientRect();
    return [(e.clientX - r.left) * canvas.width / r.width,
            (e.clientY - r.top) * canvas.height / r.height];
  };
  canvas.onpointerdown = (e) => {
    last = at(e);
    canvas.setPointerCapture(e.pointerId);
    ctx.beginPath(); ctx.arc(last[0], last[1], ctx.lineWidth / 2, 0, 2 * Math.PI); ctx.fill();
  };
  canvas.onpointermove = (e) => {
    if (!last) return;
    const p = at(e);
    ctx.beginPath(); ctx.moveTo(last[0], last[1]); ctx.lineTo(p[0], p[1]); ctx.stroke();
    last = p;
  };
  const finish = () => {
    if (!last) return;
    last = null;
    setStateValue('png', canvas.toDataURL('image/png'));
  };
  canvas.onpointerup = finish;
  canvas.onpointercancel = finish;
  parentElement.querySelector('button').onclick = () => { clear(); setStateValue('png', null); };
}
"""

_pad = st.components.v2.component("autoencoder_lab_drawing_pad", html=_HTML, css=_CSS, js=_JS)


def drawing_pad(key: str) -> bytes | None:
    """Show the pad; return the drawing as PNG bytes, or None while it is empty."""
    previous = st.session_state.get(f"{key}.last")
    data = {"png": previous, "clear_label": _("Clear"), "pad_label": _("Draw a digit here")}
    result = _pad(key=key, data=data, default={"png": None}, on_png_change=lambda: None)
    url = getattr(result, "png", None)
    st.session_state[f"{key}.last"] = url
    return png_from_data_url(url)


def png_from_data_url(url: object) -> bytes | None:
    """The PNG inside a `data:image/png;base64,...` URL; None for anything else."""
    if not isinstance(url, str) or not url.startswith(PNG_PREFIX):
        return None
    if len(url) > MAX_DRAWING_BYTES * 4 // 3 + len(PNG_PREFIX) + 4:
        return None
    try:
        return base64.b64decode(url[len(PNG_PREFIX) :], validate=True)
    except (binascii.Error, ValueError):
        return None
