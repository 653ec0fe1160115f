"""RangeInput: a native, labelled ``<input type="range">`` as a small anywidget.

The stock ipywidgets slider draws its own handle, which has no accessible name in Voila. This one is
the browser's own range input inside a ``<label>``: it has a name, the arrow, Page and Home/End keys
work as in any page, and ``aria_valuetext`` (set from Python) lets a screen reader say the value in
words ("0.5: a moderate benefit") instead of a bare number. The front end is inline (no network, no
bundler); its look comes from the course stylesheet (``.lbp-range*`` classes in ``lbp.css``).
"""

from __future__ import annotations

from typing import Any

import anywidget
from traitlets import Bool, Float, Unicode, validate

ESM = """
function render({ model, el }) {
  const label = document.createElement("label");
  label.className = "lbp-range";
  const name = document.createElement("span");
  name.className = "lbp-range-label";
  const input = document.createElement("input");
  input.type = "range";
  input.className = "lbp-range-input";
  label.append(name, input);
  el.classList.add("lbp-range-widget");
  el.append(label);

  const draw = () => {
    name.textContent = model.get("label");
    // Bounds and step first, so the browser does not clamp the value to stale bounds.
    input.min = String(model.get("min"));
    input.max = String(model.get("max"));
    input.step = String(model.get("step"));
    input.value = String(model.get("value"));
    input.setAttribute("aria-valuetext", model.get("aria_valuetext"));
    input.disabled = model.get("disabled");
  };
  const send = () => {
    model.set("value", Number(input.value));
    model.save_changes();
  };
  const names = ["label", "min", "max", "step", "value", "aria_valuetext", "disabled"];
  draw();
  input.addEventListener("input", send);
  for (const n of names) model.on(`change:${n}`, draw);
  return () => {
    input.removeEventListener("input", send);
    for (const n of names) model.off(`change:${n}`, draw);
  };
}
export default { render };
"""


class RangeInput(anywidget.AnyWidget):
    """A labelled native range input; ``value`` is synced both ways, clamped to [min, max]."""

    _esm = Unicode(ESM).tag(sync=True)

    value = Float(0.0, help="the current value").tag(sync=True)
    min = Float(0.0, help="the lowest value").tag(sync=True)
    max = Float(100.0, help="the highest value").tag(sync=True)
    step = Float(1.0, help="the step of the arrow keys").tag(sync=True)
    label = Unicode("", help="the visible label, which is also the accessible name").tag(sync=True)
    aria_valuetext = Unicode("", help="the value in words, for screen readers").tag(sync=True)
    disabled = Bool(False, help="whether the input can be moved").tag(sync=True)

    @validate("value")
    def _clamp(self, proposal: Any) -> float:
        # A browser sends min + n * step as a float (0.30000000000000004): round that noise away.
        value = round(float(proposal["value"]), 9)
        return float(min(self.max, max(self.min, value)))
