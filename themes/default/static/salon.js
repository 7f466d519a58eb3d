// Salon default theme: the palette picker. The inline script in <head>
// applies a remembered palette before the first paint; this shows the
// picker (hidden without JavaScript, where the site's palette stays) and
// remembers the reader's choice.
(function () {
  var root = document.documentElement;
  var box = document.querySelector(".palette-picker");
  var select = box && box.querySelector("select");
  if (!select) return;
  select.value = root.dataset.palette;
  if (select.selectedIndex < 0) select.value = "default";
  box.hidden = false;
  select.addEventListener("change", function () {
    root.dataset.palette = select.value;
    try {
      localStorage.setItem("salon-palette", select.value);
    } catch (e) {
      // Storage may be off (private mode): the choice lasts for this page.
    }
  });
})();
