window.__errors = [];
window.addEventListener('error', function (e) {
  var t = e.target;
  window.__errors.push(e.message || ('failed to load ' + ((t && (t.src || t.href)) || 'a resource').slice(0, 80)));
}, true);
var originalError = console.error;
console.error = function () { window.__errors.push(Array.prototype.join.call(arguments, ' ')); originalError.apply(console, arguments); };
window.addEventListener('load', function () {
  var out = {errors: window.__errors, width: window.innerWidth};
  var images = Array.prototype.slice.call(document.images);
  out.images = images.length;
  out.broken_images = images.filter(function (i) { return !i.complete || i.naturalWidth === 0; }).map(function (i) { return i.alt.slice(0, 80); });
  out.missing_alt = images.filter(function (i) { return !i.alt || i.alt.indexOf('No description') === 0; }).length;
  var ids = {};
  Array.prototype.forEach.call(document.querySelectorAll('[id]'), function (e) { ids[e.id] = true; });
  out.links = document.querySelectorAll('a[href^="#"]').length;
  out.dead_links = Array.prototype.map.call(document.querySelectorAll('a[href^="#"]'), function (a) { return decodeURIComponent(a.getAttribute('href').slice(1)); }).filter(function (h) { return !ids[h]; });
  out.page_overflow = document.documentElement.scrollWidth - window.innerWidth;
  var style = getComputedStyle(document.body);
  var right = document.body.getBoundingClientRect().right - parseFloat(style.paddingRight);
  out.overflowing = [];
  Array.prototype.forEach.call(document.querySelectorAll('table, img, pre'), function (el) {
    var box = el.getBoundingClientRect();
    var scroller = el.closest('.jp-OutputArea-output');
    var hidden = scroller && scroller.scrollWidth > scroller.clientWidth + 1;
    if (box.right > right + 1 || hidden) {
      var caption = el.querySelector ? el.querySelector('caption') : null;
      out.overflowing.push((caption ? caption.textContent : (el.alt || el.tagName)).slice(0, 90) + ' (' + Math.round(box.width) + ' px)');
    }
  });
  var pre = document.createElement('pre');
  pre.id = 'browser-checks';
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
});
