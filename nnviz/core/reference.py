"""The post's algorithm written plainly, as a yardstick for both engines.

Everything nnviz trains, written out the way the post's R function is: concatenate the
column of ones, multiply, apply f, go back layer by layer, allocate new arrays every
step.  It covers

* activations sigmoid, tanh, relu (hidden), sigmoid, linear, softmax (output);
* losses sse, C = 1/2 sum (y - yhat)^2 with delta_out = (y - yhat) f'(A_out), and ce
  (cross-entropy with a sigmoid or softmax output), whose delta_out is y - yhat;
* the penalties l1 and l2 on every weight but the bias row (row 0 of each matrix);
* the learning-rate schedules constant, step:f:N, exp:g, inv:k;
* gradient descent with momentum and with mini-batches (a new random order of the rows
  at each epoch, drawn with ``rng.permutation(n)``, as the engines draw it);
* R neuralnet's rprop+ and rprop- (its plus() and minus(), with its constants);
* neuralnet's threshold: stop, before updating, when the largest |dJ/dw| is below it.

It shares no code with ``training.py`` or ``kernel.py``: the tests require both engines
to give the same weights to 1e-12, and the benchmarks time it.  Not here: float32,
divergence checks (a diverging run just makes inf and NaN), step traces.
"""

from __future__ import annotations

import math

import numpy as np

# R neuralnet's rprop constants (its learningrate, learningrate.factor, learningrate.limit)
RPROP_START = 0.1
RPROP_UP, RPROP_DOWN = 1.2, 0.5
RPROP_MAX, RPROP_MIN = 0.1, 1e-10


# -- activations and their derivatives -------------------------------------------------

def sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def sigmoid_prime(a):
    s = sigmoid(a)
    return (1.0 - s) * s  # the post's f'(x) = f(x) (1 - f(x))


def tanh(a):
    return np.tanh(a)


def tanh_prime(a):
    t = np.tanh(a)
    return 1.0 - t * t


def relu(a):
    return np.maximum(a, 0.0)


def relu_prime(a):
    return np.where(a > 0.0, 1.0, 0.0)


def linear(a):
    return a


def linear_prime(a):
    return np.ones_like(a)


def softmax(a):
    """Each row's exp(a) / sum(exp(a)), after subtracting the row's largest value."""
    e = np.exp(a - a.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


F = {"sigmoid": sigmoid, "tanh": tanh, "relu": relu, "linear": linear, "softmax": softmax}
F_PRIME = {"sigmoid": sigmoid_prime, "tanh": tanh_prime, "relu": relu_prime, "linear": linear_prime}


# -- learning rate -----------------------------------------------------------------------

def learning_rate(lr, schedule, t):
    """The rate of the update made after t updates: "constant", "step:f:N" (lr f^floor(t/N)),
    "exp:g" (lr g^t) or "inv:k" (lr / (1 + k t))."""
    kind, *numbers = schedule.split(":")
    if kind == "step":
        f, N = float(numbers[0]), float(numbers[1])
        return lr * f ** math.floor(t / N)
    if kind == "exp":
        return lr * float(numbers[0]) ** t
    if kind == "inv":
        return lr / (1.0 + float(numbers[0]) * t)
    return lr


# -- the algorithm -------------------------------------------------------------------------

def train_reference(X, Y, weights, lr, iterations, hidden_activation="sigmoid", output_activation="sigmoid", *,
                    loss="sse", algorithm="gd", momentum=0.0, batch_size=None, rng=None,
                    l1=0.0, l2=0.0, schedule="constant", threshold=None):
    """Returns (weights, the mse of each update made).  X (n, p) without the ones column,
    Y (n, k); ``weights`` as in network.py (W_l of shape (inputs + 1, outputs), bias in row 0);
    ``hidden_activation`` one name for every hidden layer, or a list of one per hidden layer.
    ``rng`` (a numpy Generator) draws the mini-batch order when ``batch_size`` is below n.
    With ``threshold`` the run may stop early: the mse list then holds the updates made."""
    W = [np.array(w, dtype=np.float64) for w in weights]
    X = np.asarray(X, dtype=np.float64)
    Y = np.asarray(Y, dtype=np.float64)
    L = len(W)
    if isinstance(hidden_activation, str):
        hidden_activation = [hidden_activation] * (L - 1)
    names = list(hidden_activation) + [output_activation]
    n = X.shape[0]

    velocity = [np.zeros_like(w) for w in W]  # momentum
    step = [np.full_like(w, RPROP_START) for w in W]  # rprop's step of each weight
    old = [np.zeros_like(w) for w in W]  # rprop's gradient (rprop-) or its sign (rprop+) of last time

    full_batch = batch_size is None or batch_size >= n
    batches = []  # the row numbers of the batches still to come in this epoch
    mse = []
    with np.errstate(all="ignore"):
        for t in range(iterations):
            # -- the rows of this iteration
            if full_batch:
                x, y = X, Y
            else:
                if not batches:  # a new epoch: a new order of the rows
                    order = rng.permutation(n)
                    batches = [order[start:start + batch_size] for start in range(0, n, batch_size)]
                rows = batches.pop(0)
                x, y = X[rows], Y[rows]
            ones = np.ones((x.shape[0], 1))

            # -- forward: A = [1, H] W, H = f(A)
            inputs, A = [], []
            H = x
            for li in range(L):
                inp = np.hstack([ones, H])
                a = inp @ W[li]
                H = F[names[li]](a)
                inputs.append(inp)
                A.append(a)
            yhat = H
            error = y - yhat

            # -- backward: delta_out = (y - yhat) f'(A_out) for sse, y - yhat for ce (with its sigmoid or
            # softmax output f' cancels), then delta = (delta W^T without the bias row) f'(A)
            delta = error if loss == "ce" else error * F_PRIME[output_activation](A[-1])
            gradient = [None] * L  # input^T delta = -dC/dW
            for li in range(L - 1, -1, -1):
                gradient[li] = inputs[li].T @ delta
                if li > 0:
                    delta = (delta @ W[li][1:].T) * F_PRIME[names[li - 1]](A[li - 1])

            # -- the penalty, not on the bias row: g = input^T delta - (l2 W + l1 sign(W))
            g = gradient
            if l1 or l2:
                g = []
                for li in range(L):
                    penalty = l2 * W[li] + l1 * np.sign(W[li])
                    penalty[0] = 0.0
                    g.append(gradient[li] - penalty)

            # -- neuralnet's threshold: stop before the update
            if threshold is not None and max(np.abs(gi).max() for gi in g) < threshold:
                break
            mse.append(np.mean(error ** 2))

            # -- the update
            rate = learning_rate(lr, schedule, t)
            for li in range(L):
                if algorithm == "gd" and momentum == 0:  # the post's update
                    W[li] = W[li] + rate * g[li]
                elif algorithm == "gd":  # with momentum: the velocity keeps a share of the last change
                    velocity[li] = momentum * velocity[li] + rate * g[li]
                    W[li] = W[li] + velocity[li]
                elif algorithm == "rprop+":  # neuralnet's plus(); its gradient is dE/dw = -g
                    sign = np.sign(-g[li])
                    same = old[li] * sign > 0
                    flipped = old[li] * sign < 0
                    step[li][same] = np.minimum(step[li][same] * RPROP_UP, RPROP_MAX)
                    # a flipped sign: undo the last step (weight backtracking), smaller step, forget
                    W[li][flipped] = W[li][flipped] + old[li][flipped] * step[li][flipped]
                    step[li][flipped] = np.maximum(step[li][flipped] * RPROP_DOWN, RPROP_MIN)
                    old[li][flipped] = 0.0
                    rest = ~flipped
                    W[li][rest] = W[li][rest] - sign[rest] * step[li][rest]
                    old[li][rest] = sign[rest]
                else:  # rprop-: neuralnet's minus()
                    dE = -g[li]
                    same = old[li] * dE > 0
                    flipped = old[li] * dE < 0
                    step[li][same] = np.minimum(step[li][same] * RPROP_UP, RPROP_MAX)
                    step[li][flipped] = np.maximum(step[li][flipped] * RPROP_DOWN, RPROP_MIN)
                    W[li] = W[li] - np.sign(dE) * step[li]
                    old[li] = dE
    return W, np.array(mse)
