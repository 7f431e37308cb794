"""Autoencoder Lab: `streamlit run app.py`. This file only builds the navigation."""

from pathlib import Path

# The icon is a local file: a material-icon favicon would be fetched from Google's CDN.
ICON = Path(__file__).resolve().parent / "assets" / "icon.png"


def main() -> None:
    import streamlit as st

    from pages.ui import keras_guard
    from pages.ui.service import warm_up_in_background

    keras_guard.install()
    st.set_page_config(page_title="Autoencoder Lab", page_icon=str(ICON), layout="wide")
    navigation = st.navigation(
        [
            st.Page("pages/home.py", title="Home", icon=":material/home:", default=True),
            st.Page("pages/learn.py", title="Learn", icon=":material/school:"),
            st.Page("pages/train.py", title="Train", icon=":material/model_training:"),
            st.Page("pages/reconstructions.py", title="Reconstructions", icon=":material/compare:"),
            st.Page("pages/latent_space.py", title="Latent space", icon=":material/scatter_plot:"),
            st.Page("pages/denoising.py", title="Denoising", icon=":material/auto_fix_high:"),
            st.Page("pages/features.py", title="Features", icon=":material/grid_view:"),
            st.Page(
                "pages/anomalies.py", title="Anomaly detection", icon=":material/crisis_alert:"
            ),
            st.Page("pages/compare.py", title="Compare runs", icon=":material/view_column:"),
            st.Page("pages/my_digits.py", title="My digits", icon=":material/draw:"),
            st.Page("pages/table_codes.py", title="Your table", icon=":material/table_chart:"),
            st.Page("pages/class_view.py", title="Class", icon=":material/groups:"),
        ]
    )
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
    main()
