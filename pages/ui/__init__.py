"""Streamlit helpers shared by the pages: session state, settings widgets, model choice."""
