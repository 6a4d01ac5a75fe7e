// The site's only script: hide findings whose category or severity does not match the chosen filters.
(function () {
  var category = document.getElementById('filter-category');
  var severity = document.getElementById('filter-severity');
  var counter = document.getElementById('filter-count');
  if (!category || !severity) return;
  function apply() {
    var items = document.querySelectorAll('[data-category][data-severity]');
    var shown = 0;
    for (var i = 0; i < items.length; i++) {
      var item = items[i];
      var ok = (!category.value || item.getAttribute('data-category') === category.value) &&
        (!severity.value || item.getAttribute('data-severity') === severity.value);
      item.hidden = !ok;
      if (ok) shown++;
    }
    if (counter) counter.textContent = shown + ' of ' + items.length + ' shown';
  }
  category.addEventListener('change', apply);
  severity.addEventListener('change', apply);
  apply();
})();
