"""The maths of each architecture, written out as the code computes it, in teaching order.

Plain data (LaTeX strings and sentences), no TensorFlow: the Train page shows the lesson of
the architecture being chosen, the Learn page walks through all of them. Every formula is the
one the architecture's module implements (its docstring names the paper); a test checks that
every registered architecture has a lesson.
"""

from __future__ import annotations

from dataclasses import dataclass

from ae_core.i18n import N_

# The reconstruction term every model shares, per pixel (n = 784 pixels, x the image, x̂ its
# reconstruction), as ae_core.architectures.model.reconstruction_error computes it.
RECONSTRUCTION = {
    "mse": r"\mathcal{L}_{\text{rec}} = \frac{1}{n}\sum_{i=1}^{n} (x_i - \hat{x}_i)^2",
    "bce": (
        r"\mathcal{L}_{\text{rec}} = -\frac{1}{n}\sum_{i=1}^{n}"
        r"\left[x_i \log \hat{x}_i + (1 - x_i)\log(1 - \hat{x}_i)\right]"
    ),
}


@dataclass(frozen=True)
class Lesson:
    architecture: str
    title: str
    idea: str  # one paragraph: what the model does and why
    formulas: tuple[str, ...]  # LaTeX, shown one per line
    look_for: str  # what to try in this app, naming the page that shows it
    page: str  # that page's script, for a link


LESSONS: tuple[Lesson, ...] = (
    Lesson(
        "dense",
        N_("Shallow dense: the smallest autoencoder"),
        N_(
            "One layer squeezes the 784 pixels into a code of k numbers, one layer expands it "
            "back. Trained only to copy its input through the narrow code, it must keep what "
            "matters most. With linear units and the squared error it finds the same subspace "
            "as PCA with k components."
        ),
        (
            r"z = f(W_e x + b_e), \qquad \hat{x} = \sigma(W_d z + b_d)",
            r"\mathcal{L} = \mathcal{L}_{\text{rec}}(x, \hat{x})",
        ),
        N_(
            "Compare it with PCA at the same code size on the Reconstructions page: a shallow "
            "model is close to PCA, a deep one beats it."
        ),
        "pages/reconstructions.py",
    ),
    Lesson(
        "deep",
        N_("Deep dense: layers that build on each other"),
        N_(
            "Several layers on each side (784 → 256 → 128 → k, mirrored back): each layer "
            "re-describes the one before, so the code can follow the curved surface the digits "
            "lie on instead of a flat subspace."
        ),
        (
            r"z = f_L(W_L \cdots f_1(W_1 x)), \qquad "
            r"\hat{x} = \sigma(W'_1 \cdots f'_L(W'_L z))",
            r"\mathcal{L} = \mathcal{L}_{\text{rec}}(x, \hat{x})",
        ),
        N_(
            "Train it with a 2-D code and watch the digits sort themselves into clusters on the "
            "Latent space page; a shallow model's clusters overlap far more."
        ),
        "pages/latent_space.py",
    ),
    Lesson(
        "conv",
        N_("Convolutional: filters that slide over the image"),
        N_(
            "Small filters look at 3×3 neighbourhoods everywhere in the image, each stride halving "
            "the side (28 → 14 → 7); transposed convolutions grow it back. Weights are shared "
            "across positions, so a stroke is recognised wherever it is."
        ),
        (
            r"h^{(l+1)}_{c} = f\Big(\sum_{c'} K^{(l)}_{c,c'} \ast_{2} h^{(l)}_{c'} + b_c\Big)",
            r"\mathcal{L} = \mathcal{L}_{\text{rec}}(x, \hat{x})",
        ),
        N_(
            "At code 32 it reconstructs best of all (the quality table); the Reconstructions page "
            "shows its sharper strokes beside a dense model's."
        ),
        "pages/reconstructions.py",
    ),
    Lesson(
        "sparse",
        N_("Sparse: most code units stay silent"),
        N_(
            "A penalty makes each image use only a few code units, so each unit learns a part "
            "(a stroke) rather than a whole digit. Two forms: an L1 penalty on the activations, "
            "or sigmoid units whose average activation ρ̂ⱼ over a batch of m images is pulled "
            "towards a small target ρ by a KL divergence (with weight decay on the weights)."
        ),
        (
            r"\text{L1:}\quad \mathcal{L} = \mathcal{L}_{\text{rec}}"
            r" + \lambda \, \frac{1}{m}\sum_{i=1}^{m}\sum_{j=1}^{k} \lvert z_j^{(i)} \rvert",
            r"\text{KL:}\quad \mathcal{L} = \mathcal{L}_{\text{rec}}"
            r" + \beta \sum_{j=1}^{k} \mathrm{KL}(\rho \,\|\, \hat{\rho}_j)"
            r" + \frac{\lambda_{w}}{2}\sum W^2",
            r"\mathrm{KL}(\rho \,\|\, \hat{\rho}_j) = \rho \log\frac{\rho}{\hat{\rho}_j}"
            r" + (1 - \rho)\log\frac{1 - \rho}{1 - \hat{\rho}_j}, \qquad"
            r" \hat{\rho}_j = \frac{1}{m}\sum_{i=1}^{m} z_j^{(i)}",
        ),
        N_(
            "Raise the sparsity weight and look at the Features page: each code unit draws a "
            "single stroke."
        ),
        "pages/features.py",
    ),
    Lesson(
        "denoising",
        N_("Denoising: learn to undo damage"),
        N_(
            "The input is a corrupted copy x̃ of the image (Gaussian noise, salt and pepper, or "
            "masked pixels), the target the clean image. To succeed the model has to learn what "
            "digits look like, not just copy pixels."
        ),
        (
            r"\tilde{x} \sim q(\tilde{x} \mid x), \qquad \hat{x} = g(f(\tilde{x}))",
            r"\mathcal{L} = \mathcal{L}_{\text{rec}}(x, \hat{x})",
        ),
        N_(
            "On the Denoising page, compare it with a plain model on the same noisy digits: the "
            "plain one copies the noise."
        ),
        "pages/denoising.py",
    ),
    Lesson(
        "contractive",
        N_("Contractive: codes that ignore small changes"),
        N_(
            "A penalty on the encoder's Jacobian J (how much each code unit moves when a pixel "
            "moves) makes the code insensitive to changes that do not turn one digit into "
            "another. The app computes J exactly for every image."
        ),
        (
            r"J_{j,i}(x) = \frac{\partial z_j}{\partial x_i}",
            r"\mathcal{L} = \mathcal{L}_{\text{rec}}"
            r" + \lambda \, \frac{1}{m}\sum_{i=1}^{m} \big\lVert J(x^{(i)}) \big\rVert_F^2",
        ),
        N_(
            "Raise the contraction weight: on the Latent space page the clusters tighten, and "
            "noisy digits on the Denoising page land nearer their clean versions."
        ),
        "pages/latent_space.py",
    ),
    Lesson(
        "vae",
        N_("Variational (VAE): a code you can sample from"),
        N_(
            "The encoder gives a Gaussian per image (mean μ, log-variance log σ²); training "
            "decodes a sample drawn with the reparameterisation trick, so the gradient flows "
            "through μ and σ. The KL term pulls every Gaussian towards N(0, I), so the whole code "
            "space is filled with plausible digits. Dividing the KL by n puts it on the "
            "reconstruction's per-pixel scale: β = 1 is the true evidence lower bound."
        ),
        (
            r"z = \mu(x) + \sigma(x) \odot \varepsilon, \qquad \varepsilon \sim \mathcal{N}(0, I)",
            r"\mathcal{L} = \mathcal{L}_{\text{rec}}(x, \hat{x}) + \frac{\beta}{n}\,"
            r"\mathrm{KL}\big(\mathcal{N}(\mu, \sigma^2) \,\|\, \mathcal{N}(0, I)\big)",
            r"\mathrm{KL} = -\frac{1}{2}\sum_{j=1}^{k}"
            r"\left(1 + \log\sigma_j^2 - \mu_j^2 - \sigma_j^2\right)",
        ),
        N_(
            "Raise β and watch the Latent space page: the codes crowd into a round blob and new "
            "digits drawn from the prior get smoother (and blurrier)."
        ),
        "pages/latent_space.py",
    ),
    Lesson(
        "stacked",
        N_("Stacked: greedy layer-wise pretraining"),
        N_(
            "Before deep networks trained well end to end, each layer was trained alone as a "
            "shallow autoencoder of the codes of the layer below; then the stacked encoders and "
            "decoders were fine-tuned together. The app does both and charts every stage."
        ),
        (
            r"h^{(0)} = x, \qquad h^{(l)} = f_l\big(W_l h^{(l-1)}\big)",
            # Formulas with words in them are translated like sentences.
            N_(
                r"\text{stage } l:\ \min_{W_l, W'_l}\ "
                r"\mathcal{L}_{\text{rec}}\big(h^{(l-1)},\, g_l(W'_l h^{(l)})\big)"
            ),
            N_(r"\text{then:}\ \min_{\text{all}}\ \mathcal{L}_{\text{rec}}(x, \hat{x})"),
        ),
        N_(
            "The Train page shades each pretraining stage on the loss chart: see how far the "
            "pretrained layers already get before fine-tuning starts."
        ),
        "pages/train.py",
    ),
)


def lesson(architecture: str) -> Lesson:
    for item in LESSONS:
        if item.architecture == architecture:
            return item
    raise KeyError(architecture)
