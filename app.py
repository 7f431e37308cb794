"""Autoencoder Lab: `streamlit run app.py`. This file only builds the navigation."""

from pathlib import Path

import streamlit as st

from pages.ui import keras_guard

keras_guard.install()
# The icon is a local file: a material-icon favicon would be fetched from Google's CDN.
ICON = Path(__file__).resolve().parent / "assets" / "icon.png"
st.set_page_config(page_title="Autoencoder Lab", page_icon=str(ICON), layout="wide")

navigation = st.navigation(
    [
        st.Page("pages/home.py", title="Home", icon=":material/home:", default=True),
        st.Page("pages/train.py", title="Train", icon=":material/model_training:"),
        st.Page("pages/reconstructions.py", title="Reconstructions", icon=":material/compare:"),
        st.Page("pages/latent_space.py", title="Latent space", icon=":material/scatter_plot:"),
        st.Page("pages/denoising.py", title="Denoising", icon=":material/auto_fix_high:"),
        st.Page("pages/features.py", title="Features", icon=":material/grid_view:"),
        st.Page("pages/my_digits.py", title="My digits", icon=":material/draw:"),
    ]
)
navigation.run()
