// openkyc back office: the picture viewer (zoom, rotate, contrast) and keyboard shortcuts.
// Everything works without this script; it only makes looking and deciding quicker.
(function () {
  "use strict";

  function setUpViewer(figure) {
    const image = figure.querySelector("[data-image]");
    if (!image) {
      return;
    }
    let zoom = 1;
    let turn = 0;
    function apply() {
      image.style.transform = "rotate(" + turn + "deg) scale(" + zoom + ")";
    }
    figure.querySelectorAll("[data-zoom]").forEach(function (button) {
      button.addEventListener("click", function () {
        zoom = button.dataset.zoom === "in" ? Math.min(zoom * 1.25, 6) : Math.max(zoom / 1.25, 0.5);
        apply();
      });
    });
    const rotate = figure.querySelector("[data-rotate]");
    if (rotate) {
      rotate.addEventListener("click", function () {
        turn = (turn + 90) % 360;
        apply();
      });
    }
    const contrast = figure.querySelector("[data-contrast]");
    if (contrast) {
      contrast.addEventListener("click", function () {
        const on = image.classList.toggle("contrast");
        contrast.setAttribute("aria-pressed", on ? "true" : "false");
      });
    }
  }

  function typing(target) {
    const name = target && target.tagName;
    return (
      name === "INPUT" ||
      name === "SELECT" ||
      name === "TEXTAREA" ||
      Boolean(target && target.isContentEditable)
    );
  }

  // A letter presses the button marked data-shortcut, or focuses the field marked
  // data-shortcut-focus, unless the person is typing.
  function shortcuts(event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) {
      return;
    }
    const key = event.key.toLowerCase();
    if (!/^[a-z]$/.test(key)) {
      return;
    }
    const button = document.querySelector("[data-shortcut='" + key + "']");
    if (button) {
      event.preventDefault();
      button.click();
      return;
    }
    const field = document.querySelector("[data-shortcut-focus='" + key + "']");
    if (field) {
      event.preventDefault();
      field.focus();
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-viewer]").forEach(setUpViewer);
    document.addEventListener("keydown", shortcuts);
  });
})();
