"""Autoencoder Lab: `streamlit run app.py`. This file only builds the navigation."""

from pathlib import Path

# The icon is a local file: a material-icon favicon would be fetched from Google's CDN.
ICON = Path(__file__).resolve().parent / "assets" / "icon.png"


def main() -> None:
    # Before any background thread starts: plotly looks pandas up lazily, and a figure built
    # while another thread is halfway through importing it fails ("partially initialized
    # module 'pandas'"), seen in Chromium on a Home page drawn during the warm-up.
    import pandas  # noqa: F401
    import streamlit as st

    from ae_core.i18n import _
    from ae_core.lesson_plan import LessonFileError
    from pages.ui import fragment_queue, keras_guard
    from pages.ui.language import choose_language
    from pages.ui.lesson_file import lesson_plan
    from pages.ui.service import warm_up_in_background

    keras_guard.install()
    fragment_queue.install()
    # First, so every text below (page titles included) is in the session's language.
    choose_language()
    st.set_page_config(page_title=_("Autoencoder Lab"), page_icon=str(ICON), layout="wide")
    try:
        plan = lesson_plan()
    except LessonFileError as exc:
        # Nothing of the lab runs with a broken lesson file: a class would get half a lesson.
        st.error(
            _("The lesson file cannot be used. {problem}").format(problem=exc),
            icon=":material/error:",
        )
        st.caption(
            _(
                "Fix the file and start the server again; `python -m ae_core check-lesson FILE` "
                "checks a file without starting the lab."
            )
        )
        return
    pages = {
        "home": st.Page("pages/home.py", title=_("Home"), icon=":material/home:", default=True),
        "learn": st.Page("pages/learn.py", title=_("Learn"), icon=":material/school:"),
        "train": st.Page("pages/train.py", title=_("Train"), icon=":material/model_training:"),
        "reconstructions": st.Page(
            "pages/reconstructions.py", title=_("Reconstructions"), icon=":material/compare:"
        ),
        "latent_space": st.Page(
            "pages/latent_space.py", title=_("Latent space"), icon=":material/scatter_plot:"
        ),
        "denoising": st.Page(
            "pages/denoising.py", title=_("Denoising"), icon=":material/auto_fix_high:"
        ),
        "features": st.Page("pages/features.py", title=_("Features"), icon=":material/grid_view:"),
        "anomalies": st.Page(
            "pages/anomalies.py", title=_("Anomaly detection"), icon=":material/crisis_alert:"
        ),
        "compare": st.Page(
            "pages/compare.py", title=_("Compare runs"), icon=":material/view_column:"
        ),
        "my_digits": st.Page("pages/my_digits.py", title=_("My digits"), icon=":material/draw:"),
        "table_codes": st.Page(
            "pages/table_codes.py", title=_("Your table"), icon=":material/table_chart:"
        ),
        "class_view": st.Page("pages/class_view.py", title=_("Class"), icon=":material/groups:"),
    }
    navigation = st.navigation([page for key, page in pages.items() if plan.shows(key)])
    try:
        navigation.run()
    finally:
        # Once a page is on screen, the server starts its training workers and loads
        # TensorFlow and MNIST in the background, so the first press of a preset waits for
        # neither.
        warm_up_in_background()


# Streamlit runs this file as the module "__main__". Training processes are started with
# "spawn", which imports the parent's __main__ in every new process (as "__mp_main__"): the
# guard keeps them from building a page and starting a training service of their own.
if __name__ == "__main__":
    from pages.ui.entry import running_the_app

    with running_the_app():
        main()
