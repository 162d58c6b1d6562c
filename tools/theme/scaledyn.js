/* Scale Dynamics: a fix to the theme (served via html_static_path, loaded by html_js_files in _config.yml).
   Found by tests/browser (test_phone_menu_opens_the_table_of_contents): with sphinx-book-theme 1.3 and
   pydata-sphinx-theme 0.17 both themes attach their sidebar-toggle handlers to the *first*
   .primary-toggle / .secondary-toggle of the page, pydata's navbar icon, which sphinx-book-theme hides.
   The visible buttons in the article header did nothing: on a phone the table of contents could not
   be opened, and on a desktop the sidebar could not be collapsed. Forward their clicks to the first one. */
document.addEventListener("DOMContentLoaded", () => {
  for (const selector of [".primary-toggle", ".secondary-toggle"]) {
    const [handled, ...others] = document.querySelectorAll(selector);
    for (const button of others) {
      button.addEventListener("click", (event) => {
        event.preventDefault();
        event.stopPropagation();
        handled.click();
      });
    }
  }
});
