// Reload while the worker is still importing, so the counts and skipped rows appear.
(function () {
  const box = document.getElementById("import");
  if (!box || box.dataset.finished === "yes") return;
  setInterval(async () => {
    const state = await (await fetch(box.dataset.poll)).json();
    document.getElementById("import-progress").value = state.percent;
    document.getElementById("import-status").textContent = state.status_label || state.status;
    if (state.finished) location.reload();
  }, 1000);
})();
