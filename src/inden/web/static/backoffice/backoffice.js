// Small enhancements only: every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // Move focus to the error summary so screen readers and keyboards land on the problem.
  const summary = document.querySelector("[data-focus]");
  if (summary) summary.focus();
  // "Select all" boxes for lists with bulk actions.
  document.querySelectorAll("input[data-select-all]").forEach((box) => {
    box.addEventListener("change", () => {
      document.querySelectorAll(`input[name="${box.dataset.selectAll}"]`).forEach((b) => { b.checked = box.checked; });
    });
  });
  // Long requests (an import, a plan run): say so on the button and prevent a second submit.
  document.querySelectorAll("form").forEach((form) => {
    form.addEventListener("submit", (event) => {
      const button = event.submitter;
      if (button && button.dataset.busy) {
        window.setTimeout(() => { button.disabled = true; button.textContent = button.dataset.busy; }, 0);
      }
    });
  });
  // Ask before destructive buttons.
  document.querySelectorAll("button[data-confirm]").forEach((button) => {
    button.addEventListener("click", (event) => { if (!window.confirm(button.dataset.confirm)) event.preventDefault(); });
  });
});
