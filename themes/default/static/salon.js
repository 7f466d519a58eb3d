// Salon default theme: the palette and light/dark pickers. Inline scripts
// in <head> apply a remembered palette and scheme before the first paint;
// this shows the pickers (hidden without JavaScript, where the site's
// palette and the system's scheme stay) and remembers the reader's choice.
(function () {
  var root = document.documentElement;
  var box = document.querySelector(".palette-picker");
  if (!box) return;
  var remember = function (key, value) {
    try {
      localStorage.setItem(key, value);
    } catch (e) {
      // Storage may be off (private mode): the choice lasts for this page.
    }
  };
  var palette = box.querySelector("#palette-select");
  var scheme = box.querySelector("#scheme-select");
  box.hidden = false;
  if (palette) {
    palette.value = root.dataset.palette;
    if (palette.selectedIndex < 0) palette.value = "default";
    palette.addEventListener("change", function () {
      root.dataset.palette = palette.value;
      remember("salon-palette", palette.value);
    });
  }
  if (scheme && window.salonScheme) {
    scheme.value = root.dataset.scheme || "auto";
    scheme.addEventListener("change", function () {
      window.salonScheme(scheme.value);
      remember("salon-scheme", scheme.value);
    });
  }
})();
