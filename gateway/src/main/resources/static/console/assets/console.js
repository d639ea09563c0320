// Gerbang console: draws the charts whose data the page carries as JSON (no inline scripts: the page's
// Content-Security-Policy forbids them), and the print button.
(function () {
  function draw() {
    document.querySelectorAll('canvas[data-chart]').forEach(function (canvas) {
      var source = document.getElementById(canvas.getAttribute('data-chart'));
      if (!source || typeof Chart === 'undefined') { return; }
      var data = JSON.parse(source.textContent);
      if (canvas._chart) { canvas._chart.destroy(); }
      canvas._chart = new Chart(canvas, {
        type: data.type || 'line',
        data: data,
        options: { responsive: true, maintainAspectRatio: false, animation: false,
          interaction: { mode: 'index', intersect: false },
          scales: { y: { beginAtZero: true, title: { display: true, text: data.yLabel || '' } } } }
      });
    });
    document.querySelectorAll('[data-print]').forEach(function (b) {
      b.addEventListener('click', function () { window.print(); });
    });
  }
  document.addEventListener('DOMContentLoaded', draw);
  document.addEventListener('htmx:afterSettle', draw);
})();
