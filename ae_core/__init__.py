"""Autoencoder Lab's engine: data, architectures, training, metrics and saved runs.

Importing the package is cheap: TensorFlow is only loaded by the modules that need it
(architectures, training, metrics, runs), so a UI can draw its first page before that.
"""

import os

# TensorFlow's C++ start-up chatter (CUDA probes, oneDNN notices) means nothing to a student
# and buries real messages; users can still turn it back on by setting the variable themselves.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

__version__ = "0.1.0"
