"""The digit classifier: a small CNN sized for TF.js's CPU backend, with a "not a digit" output.

Training sees one 11-wide logits tensor (the 10 digits, then "not a digit"); the exported model
turns it into the two outputs of the serving signature: the 10 digit probabilities (softmax over
the digit logits only, divided by the calibration temperature) and `not_digit` [N,1].
"""

from __future__ import annotations

import keras
from keras import layers, ops

from training import data

NOT_DIGIT_LABEL = data.NUM_CLASSES  # training label of a non-digit picture
# Filters per stage; each stage halves the resolution, so the costly 3x3 convolutions run at 28, 14
# and 7 px: ~2 M multiply-adds, 35 k parameters. Measured (README design notes): with the 11th class
# trained on 18k non-digits, 12-24-64 (28 k) read MNIST's test set at 99.38 %; 16-32-64 keeps 99.51 %
# while refusing 95 % of held-out non-digits. The wide last stage is cheap at 7 px.
STAGE_FILTERS = (16, 32, 64)
# Stages from this index on use depthwise-separable convolutions; None: no stage, however many there are.
SEPARABLE_FROM: int | None = None
# Stages from this index on refine their features with a second, depthwise-separable 3x3 convolution before
# they pool: depth at a small cost (at 14 px and 32 filters a separable 3x3 costs a seventh of a plain one).
# Measured (README design notes): from stage 1 on, 99.62 % on MNIST, but clip-art and rendered uploads the
# shipped model reads were lost, and `classify` slowed by ~40 %: none by default.
REFINED_FROM: int | None = None
DROPOUT_RATE = 0.1  # the model is small: it underfits long before it overfits
INPUT_NAME = "image"
LOGITS_NAME = "logits"
# How "not a digit" is read from the logits (see README design notes and metrics.json "refusal_head"):
#   "softmax": an 11th softmax class; not_digit = softmax over all 11 logits, its last entry.
#   "sigmoid": a separate sigmoid output on the last logit; the digit softmax never sees non-digits.
HEADS = ("softmax", "sigmoid")
HEAD = "softmax"


def conv_layer(x, filters: int, separable: bool, batch_norm: bool):
    """Return 3x3 conv (or depthwise 3x3 + pointwise 1x1) -> batch norm -> ReLU.

    Without batch norm (the exported model, training.quantize), the convolution has a bias instead."""
    if separable:
        x = layers.SeparableConv2D(filters, 3, padding="same", use_bias=not batch_norm)(x)
    else:
        x = layers.Conv2D(filters, 3, padding="same", use_bias=not batch_norm)(x)
    if batch_norm:
        x = layers.BatchNormalization()(x)
    return layers.ReLU()(x)


def conv_block(x, filters: int, separable: bool = False, refined: bool = False, batch_norm: bool = True):
    """Return one stage: conv_layer, when `refined` a second, separable one, then 2x2 max-pool."""
    x = conv_layer(x, filters, separable, batch_norm)
    if refined:
        x = conv_layer(x, filters, True, batch_norm)
    return layers.MaxPooling2D(2, padding="same")(x)


def build_model(
    stage_filters: tuple[int, ...] = STAGE_FILTERS,
    separable_from: int | None = SEPARABLE_FROM,
    refined_from: int | None = REFINED_FROM,
    batch_norm: bool = True,
) -> keras.Model:
    """Return the uncompiled training model: [N,28,28,1] in 0..1 -> [N,11] logits (10 digits, not a digit).

    `batch_norm=False` builds the exported shape, with batch norm folded into the convolutions."""
    inputs = keras.Input(shape=data.MODEL_INPUT_SHAPE, name=INPUT_NAME)
    x = inputs
    for stage, filters in enumerate(stage_filters):
        separable = separable_from is not None and stage >= separable_from
        refined = refined_from is not None and stage >= refined_from
        x = conv_block(x, filters, separable, refined, batch_norm)  # 28 -> 14 -> 7 -> 4
    x = layers.Flatten()(x)
    x = layers.Dropout(DROPOUT_RATE)(x)
    outputs = layers.Dense(data.NUM_CLASSES + 1, name=LOGITS_NAME)(x)
    return keras.Model(inputs, outputs, name="snapmath_cnn")


def architecture(model: keras.Model) -> dict:
    """Return the build_model arguments (but batch_norm) that rebuild `model`'s stages, read from its layers."""
    stages: list[list[layers.Layer]] = [[]]
    for layer in model.layers:
        if isinstance(layer, (layers.Conv2D, layers.SeparableConv2D)):
            stages[-1].append(layer)
        elif isinstance(layer, layers.MaxPooling2D):
            stages.append([])
    stages = [stage for stage in stages if stage]
    separable = [isinstance(stage[0], layers.SeparableConv2D) for stage in stages]
    refined = [len(stage) == 2 for stage in stages]
    separable_from = separable.index(True) if True in separable else None
    refined_from = refined.index(True) if True in refined else None
    if any(
        len(stage) not in (1, 2)
        or separable[index] != (separable_from is not None and index >= separable_from)
        or refined[index] != (refined_from is not None and index >= refined_from)
        for index, stage in enumerate(stages)
    ):
        raise ValueError(f"{model.name} has stages build_model does not make")
    return {
        "stage_filters": tuple(stage[0].filters for stage in stages),
        "separable_from": separable_from,
        "refined_from": refined_from,
    }


def refusal_loss(head: str):
    """Return the training loss for labels 0..10 (10 = not a digit) and [N,11] logits under `head`."""
    if head not in HEADS:
        raise ValueError(f"unknown refusal head {head!r}; choose one of {', '.join(HEADS)}")

    def loss(labels, logits):
        labels = ops.cast(ops.reshape(labels, (-1,)), "int32")
        if head == "softmax":
            return keras.losses.sparse_categorical_crossentropy(labels, logits, from_logits=True)
        is_digit = ops.cast(labels < data.NUM_CLASSES, "float32")
        digit_loss = keras.losses.sparse_categorical_crossentropy(
            ops.minimum(labels, data.NUM_CLASSES - 1), logits[:, : data.NUM_CLASSES], from_logits=True
        )
        refusal = keras.losses.binary_crossentropy(
            ops.expand_dims(1.0 - is_digit, 1), logits[:, data.NUM_CLASSES :], from_logits=True
        )
        return is_digit * digit_loss + ops.reshape(refusal, (-1,))

    loss.__name__ = f"{head}_refusal_loss"
    return loss


def digit_accuracy(labels, logits):
    """Return per-sample 1/0 for digits read right (argmax of the 10 digit logits); non-digits count as 0."""
    labels = ops.cast(ops.reshape(labels, (-1,)), "int32")
    return ops.cast(ops.argmax(logits[:, : data.NUM_CLASSES], axis=1) == labels, "float32")


def serving_model(trained: keras.Model, head: str, temperature: float) -> keras.Model:
    """Return the exported model: image -> (10 digit probabilities at `temperature`, not_digit [N,1]).

    One dense layer feeds both outputs, as in training (a second, tempered copy of its digit columns
    would add 20 KB of weights to the page): the digit probabilities are softmax(digit logits / T),
    "not a digit" reads the untempered logits."""
    if head not in HEADS:
        raise ValueError(f"unknown refusal head {head!r}; choose one of {', '.join(HEADS)}")
    logits = trained.output
    probabilities = layers.Softmax(name="probabilities")(logits[:, : data.NUM_CLASSES] * (1.0 / temperature))
    if head == "sigmoid":
        not_digit = layers.Activation("sigmoid", name="not_digit")(logits[:, data.NUM_CLASSES :])
    else:  # the 11-way softmax of training, its last column
        not_digit = layers.Softmax(name="eleven")(logits)[:, data.NUM_CLASSES :]
    return keras.Model(trained.input, [probabilities, not_digit], name="snapmath_reader")
