"""Names and numbers several modules must agree on, each defined once.

Everything here is a contract between modules: the image geometry every model, figure and
preprocessing step assumes, the stage name the trainer gives its final training, and the layer
names figures use to find a model's code.
"""

from ae_core.i18n import lazy

# MNIST and Fashion-MNIST images: 28 x 28 grey pixels.
SIDE = 28
IMAGE_SHAPE = (SIDE, SIDE)
PIXELS = SIDE * SIDE

# Keeps probabilities off exactly 0 and 1 where a logarithm is taken (cross-entropy, KL).
EPSILON = 1e-7

# The stage title of the main training; pretraining stages of a stacked model have others.
# Compared as text (its English value); shown in the reader's language.
FINAL_STAGE = lazy("Training")

# The layer that holds the code (a variational model's code is the mean of its distribution).
CODE_LAYER = "code"
MEAN_CODE_LAYER = "z_mean"
CODE_LAYERS = (CODE_LAYER, MEAN_CODE_LAYER)

# The page's own fonts, for text in figures and drawings: Streamlit's Source Sans for Latin
# text, and the lab's Chinese font (.streamlit/config.toml) for Chinese, which a classroom
# machine may not have.
PAGE_FONTS = "'Source Sans', 'Source Sans Pro', lab-cjk, sans-serif"

# Digits are categories: a discrete colour-blind-safe palette (Paul Tol's, as plotly's "Safe").
PALETTE = (
    "#88CCEE",
    "#CC6677",
    "#DDCC77",
    "#117733",
    "#332288",
    "#AA4499",
    "#44AA99",
    "#999933",
    "#882255",
    "#661100",
)

# Differences between images: blue below 0, black at 0, red above.
SIGNED_LOW, SIGNED_HIGH = "#2166AC", "#D6604D"
