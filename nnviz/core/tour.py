"""The guided tour "Follow the post": the sections of the post "Deep Neural Network from Scratch in R"
in the post's order, each as a step of data that the window's tour panel shows and sets up.

A ``TourStep`` has a title, the post's section it follows, a text in nnviz's own words (HTML for a
Qt label: <b>, <i>, <sub>), formulas with the post's names beside nnviz's, the settings it sets up
(changes to the default ``Settings``), the view to look at and the widgets to point at, and the
``Task`` the student is asked to do.  Whether a task is done is a pure function of a snapshot
(``TourStep.done``), so the tour needs no window to be tested.  Numbers quoted in the texts were
measured with nnviz (seed 1, 2026-12-08) and are checked by tests/core/test_tour.py.

What it leaves out: nothing checks that a text was read (a step without a task is done at once),
and a task's condition looks at the snapshot only, not at how the student got there.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

from .experiment import Settings
from .notation import Names, plain
from .runner import TRAINING_ONLY
from .timeline import stage_names

POST_TITLE = "Deep Neural Network from Scratch in R"
POST = f"\u201c{POST_TITLE}\u201d"

# the views a step can show and point at (the panel maps them to widgets)
VIEWS = ("diagram", "inspector", "loss", "predictions", "runs", "map", "transport", "controls")
POINTS = VIEWS + ("play", "micro", "step", "standardize", "lr", "hidden", "layer_buttons", "mode", "speed", "mse")


@dataclass(frozen=True)
class Task:
    """What the student is asked to do, and how a snapshot shows it was done.

    kind: "stage" (Micro-step until ``stage``, a runner stage name such as "delta 1"),
    "iteration" (train until at least ``iteration``, with Play or Step N), or "layers"
    (a network of at least ``layers`` hidden layers)."""

    kind: str
    stage: str = ""
    iteration: int = 0
    layers: int = 0
    free: tuple[str, ...] = ()  # the settings the task itself changes (a "layers" task: hidden)

    def met(self, snap) -> bool:
        """True when the snapshot shows the task done (the snapshot's own network)."""
        if snap is None or getattr(snap, "preview", False):
            return False
        s = snap.settings
        if self.kind == "stage":
            if s is None or not snap.stage:
                return False
            order = stage_names(len(s.hidden) + 1)
            return self.stage in order and snap.stage in order and order.index(snap.stage) >= order.index(self.stage)
        if self.kind == "iteration":
            return snap.iteration >= self.iteration
        if self.kind == "layers":
            return s is not None and len(s.hidden) >= self.layers
        raise ValueError(f"unknown task kind {self.kind!r}")

    def progress(self, snap) -> str:
        """Where the student is on the way to the task: "now at: H → ŷ", "now: iteration 1,234"."""
        if snap is None:
            return ""
        s = snap.settings
        if self.kind == "stage":
            if s is None or not snap.stage:
                return "not started: no micro-step yet"
            return f"now at: {stage_label(snap.stage, len(s.hidden))}"
        if self.kind == "iteration":
            return f"now: iteration {snap.iteration:,} of {self.iteration:,}"
        if self.kind == "layers" and s is not None:
            return f"now: {len(s.hidden)} hidden layer{'s' if len(s.hidden) != 1 else ''}"
        return ""

    def presses(self, hidden_layers: int) -> int:
        """Micro-steps from a fresh iteration to the task's stage (a "stage" task)."""
        return stage_names(hidden_layers + 1).index(self.stage) + 1


@dataclass(frozen=True)
class TourStep:
    key: str  # stable: the step remembered between sessions
    title: str
    section: str  # where in the post this is
    text: str  # nnviz's own words, HTML
    formulas: tuple[tuple[str, str], ...] = ()  # (the post's, nnviz's), HTML
    setup: dict = field(default_factory=dict)  # changes to Settings(); {} leaves the window as it is
    view: str = ""  # the view to bring forward, one of VIEWS
    point: tuple[str, ...] = ()  # widgets to frame for a few seconds, from POINTS
    task: Task | None = None
    doing: str = ""  # "Your turn: ..." (HTML), for a step with a task
    keep: bool = False  # keep the run shown (Runs) before setting up, so its curve stays on the plot
    live: str = ""  # numbers from the snapshot beside the text: "cost"
    action: tuple[str, ...] = ()  # (a button's text, the window's command), or ()

    def settings(self) -> Settings | None:
        """The settings this step sets up (None: it sets nothing up)."""
        return Settings().with_(**self.setup) if self.setup else None

    def matches(self, settings) -> bool:
        """The settings are this step's network, trained as the step says (the maximum of
        iterations aside); always true for a step that sets nothing up."""
        target = self.settings()
        if target is None:
            return True
        if settings is None:
            return False
        free = set(self.task.free if self.task is not None else ()) | {"iterations"}
        compared = [f.name for f in fields(Settings) if f.name not in free
                    and (f.name not in TRAINING_ONLY or f.name in self.setup)]
        return all(getattr(settings, k) == getattr(target, k) for k in compared)

    def done(self, snap) -> bool:
        """The step is done: it has no task, or the snapshot shows its task done on its network."""
        if self.task is None:
            return True
        return snap is not None and self.matches(snap.settings) and self.task.met(snap)


def stage_label(stage: str, hidden_layers: int) -> str:
    """A runner stage in the post's names, as the inspector's buttons write it: "X → H", "δ_h"."""
    names = Names(tuple([1] * (hidden_layers + 2)), (), ())
    kind, _, num = stage.partition(" ")
    if kind == "forward":
        lw = int(num)
        src = "X" if lw == 1 else plain(names.H(lw - 1))
        return f"{src} \u2192 {plain(names.H(lw))}"
    if kind == "delta":
        return plain(names.delta(int(num))).replace("\u03b4", "\u03b4_")
    if kind == "update":
        return "\u0394W (the update)"
    return stage


def cost(mse: float, rows: int, outputs: int) -> float:
    """The post's C = 1/2 sum (y - yhat)^2 from the plotted mse = mean (y - yhat)^2 over rows and outputs."""
    return mse * rows * outputs / 2


def live_text(step: TourStep, snap, rows: int, outputs: int) -> str:
    """The step's numbers from the snapshot (HTML), or ""."""
    if step.live == "cost" and snap is not None:
        c = cost(snap.mse, rows, outputs)
        return (f"Now, at iteration {snap.iteration:,}: mse {snap.mse:.6g} \u00d7 {rows} rows \u00d7 {outputs} "
                f"outputs / 2 = <b>C = {c:.6g}</b>")
    return ""


# -- the steps -------------------------------------------------------------------------------

TOY_342 = {"data": "toy", "hidden": (4,), "activation": ("sigmoid",), "standardize": False, "lr": 0.02,
           "iterations": 50_000, "seed": 1}
TOY_RUN = {**TOY_342, "hidden": (6, 6)}
IRIS_RAW = {"data": "iris", "hidden": (6, 6), "activation": ("sigmoid",), "standardize": False, "lr": 0.02,
            "iterations": 50_000, "seed": 1}
IRIS_SCALED = {**IRIS_RAW, "standardize": True}
IRIS_SLOW = {**IRIS_RAW, "lr": 0.005}

_MICRO = ("press <b>Micro-step</b> (M), which walks the next iteration one stage at a time, until you reach "
          "<b>{label}</b>")


def _micro(stage: str, hidden_layers: int = 1) -> tuple[Task, str]:
    return Task("stage", stage=stage), _MICRO.format(label=stage_label(stage, hidden_layers))


STEPS: tuple[TourStep, ...] = (
    TourStep(
        "welcome", "Follow the post", "the whole post",
        f"<p>This tour walks through the blog post {POST} section by section, in the post's order, "
        "with nnviz doing each calculation in front of you. Read the post first; each step here names "
        "the section it follows.</p>"
        "<p>Every step sets the window up (data, network, inputs scaled or not), points at the view to "
        "look at with a coloured frame, and gives the formula in the post's names with nnviz's beside "
        "them. Where a step is about doing, a yellow box says what to press; <b>Next</b> lights up once "
        "the window shows it was done (<b>Skip</b> goes on anyway).</p>"
        "<p>Close this panel whenever you like: Help \u203a Follow the post, or <code>nnviz tour</code>, "
        "brings you back to the same step. If you have trained something of your own that is not saved, "
        "the window asks before a step replaces it.</p>"),
    TourStep(
        "network", "A 3-4-2 network", "the opening: a network of 3 inputs, 4 hidden nodes, 2 outputs",
        "<p>The post starts from a small network: 3 inputs, one hidden layer of 4 nodes, 2 outputs. "
        "The window now shows exactly that, on the post's toy data (8 rows: every combination of three "
        "0/1 inputs; y1 is the majority of the three, y2 is x1 XOR x3).</p>"
        "<p>Read each hidden node as a small logistic regression: a weighted sum of the inputs plus an "
        "intercept, squashed by the sigmoid. Each edge of the diagram is one weight (blue positive, orange "
        "negative, wider when larger); the blue node \u201c1\u201d above each layer carries the biases. "
        "The start weights are drawn from U(\u22121, 1) with the seed in the controls, as in the post.</p>"
        "<p>Count them: W1 holds 4 \u00d7 4 = 16 numbers (a bias row and one row per input), W2 holds "
        "5 \u00d7 2 = 10. Hover an edge to read its weight.</p>",
        formulas=(("X: n \u00d7 (1 + 3), W<sub>1</sub>: (1 + 3) \u00d7 4", "weights[0]: shape (4, 4), bias in row 0"),
                  ("W<sub>2</sub>: (1 + 4) \u00d7 2, \u0177: n \u00d7 2", "weights[1]: shape (5, 2); \u0177 = H2"),
                  ("W ~ U(\u22121, 1)", "seed 1 (the controls' seed box)")),
        setup=TOY_342, view="diagram", point=("diagram",)),
    TourStep(
        "design", "The design matrix: a column of ones", "the algebra: X, W1, W2 and the bias rows",
        "<p>The post writes the inputs as a regression's design matrix: a first column of ones, then "
        "the three inputs. The ones are what make the first row of W1 the biases (the post's "
        "\u03b2<sup>1</sup><sub>0j</sub>, a statistician's intercepts): every observation multiplies "
        "that row by 1, so the bias is just one more weight, with nothing feeding into it.</p>"
        "<p>The Backprop inspector under the diagram shows one step as matrices. Its first stage is the "
        "product X W1; look at the column of ones at the left of X.</p>",
        formulas=(("X = [1, x]", "[1, H0] (nnviz numbers the input layer 0)"),
                  ("first row of W<sub>1</sub>: \u03b2<sup>1</sup><sub>01</sub> \u2026 \u03b2<sup>1</sup><sub>04</sub>",
                   "W1[1, \u00b7] in R's numbering, weights[0][0] in Python")),
        setup=TOY_342, view="inspector", point=("micro", "inspector"),
        task=_micro("forward 1")[0], doing=_micro("forward 1")[1]),
    TourStep(
        "forward", "The forward pass", "the first calculation: the hidden layer, then the output",
        "<p>A1 = X W1 is 8 \u00d7 4: one row per observation, one column per hidden node. Applying the "
        "sigmoid to every cell gives H. Written out for one cell, h<sub>ij</sub> is the sigmoid of the "
        "bias plus each input times its weight: the regression of the opening, once per node.</p>"
        "<p>Click any cell of A or H in the inspector: it is written out with its numbers, and the row "
        "of X and the column of W1 it came from light up. Then H gets its own column of ones (H\u0304) "
        "and the same thing happens again with W2 to give \u0177.</p>",
        formulas=(("A<sub>1</sub> = X W<sub>1</sub>, H = f(A<sub>1</sub>)", "A1 = [1, H0] W1, H1 = f(A1)"),
                  ("h<sub>ij</sub> = f(\u03b2<sup>1</sup><sub>0j</sub> + w<sup>1</sup><sub>1j</sub>x<sub>i1</sub>"
                   " + w<sup>1</sup><sub>2j</sub>x<sub>i2</sub> + w<sup>1</sup><sub>3j</sub>x<sub>i3</sub>)",
                   "click a cell of H1: a = 1 \u00d7 b + x1 \u00d7 w1 + \u2026"),
                  ("f(x) = 1 / (1 + e<sup>\u2212x</sup>)", "sigmoid"),
                  ("H\u0304 = [1, H], A<sub>2</sub> = H\u0304 W<sub>2</sub>, \u0177 = f(A<sub>2</sub>)",
                   "[1, H1], A2, H2 = \u0177")),
        setup=TOY_342, view="inspector", point=("micro", "inspector"),
        task=_micro("forward 2")[0], doing=_micro("forward 2")[1]),
    TourStep(
        "cost", "The cost", "backpropagation: the error function",
        "<p>The post measures the error with half the sum of squares, C, over every row and every "
        "output; the \u00bd is there so that it cancels when C is differentiated. nnviz's error plot and "
        "the big number in the bar at the top show the <i>mean</i> square error instead, the same sum "
        "divided by rows \u00d7 outputs, so that data sets of different sizes can be compared. The two "
        "differ only by a constant, which is why the post says it makes little difference: the learning "
        "rate absorbs it.</p>"
        "<p>The <b>error</b> stage shows y \u2212 \u0177 for every row and output.</p>",
        formulas=(("C = \u00bd \u03a3<sub>ij</sub> (y<sub>ij</sub> \u2212 \u0177<sub>ij</sub>)\u00b2",
                   "mse = \u03a3 (y \u2212 \u0177)\u00b2 / (rows \u00d7 outputs)"),
                  ("C", "mse \u00d7 rows \u00d7 outputs / 2")),
        setup=TOY_342, view="inspector", point=("micro", "inspector", "mse"),
        task=_micro("error")[0], doing=_micro("error")[1], live="cost"),
    TourStep(
        "output-delta", "The output delta \u03b4_y", "backpropagation: the chain rule at the output",
        "<p>The chain rule splits \u2202C/\u2202w into three factors: how C changes with \u0177 "
        "(y \u2212 \u0177, up to its sign), how \u0177 changes with A2 (the sigmoid's slope f\u2032(A2) = "
        "\u0177(1 \u2212 \u0177)), and how A2 changes with the weight (the H\u0304 it multiplies). The first "
        "two, multiplied cell by cell, are \u03b4_y: one number per row and output.</p>"
        "<p>The post's \u201c\u00b7\u201d here is a cell-by-cell product, not a matrix product, so both "
        "factors are n \u00d7 2. With this sign \u03b4_y points downhill: it is \u2212\u2202C/\u2202A2.</p>",
        formulas=(("\u03b4<sub>y</sub> = (y \u2212 \u0177) \u00b7 f\u2032(A<sub>2</sub>)", "\u03b42 = (y \u2212 H2) \u00d7 f\u2032(A2)"),
                  ("f\u2032(x) = f(x)(1 \u2212 f(x))", "f\u2032(a) = h(1 \u2212 h)")),
        setup=TOY_342, view="inspector", point=("micro", "inspector"),
        task=_micro("delta 2")[0], doing=_micro("delta 2")[1]),
    TourStep(
        "hidden-delta", "The hidden delta \u03b4_h, without the bias row", "backpropagation: the error in the hidden layer",
        "<p>Nobody knows what the hidden nodes should have been, so their error is borrowed from the "
        "output: each hidden node gets the output deltas weighted by the weights that leave it, times its "
        "own slope f\u2032(A1).</p>"
        "<p>One detail the post leaves implicit: W2 is 5 \u00d7 2, its first row being the biases. "
        "\u03b4_y W2\u1d40 would be n \u00d7 5, and its first column would be the \u201cerror\u201d of the "
        "constant 1, which has no weights coming in and nothing to learn. nnviz drops that row, so the "
        "product is n \u00d7 4 and matches f\u2032(A1); the inspector labels it \u201cwithout the bias "
        "row\u201d.</p>",
        formulas=(("\u03b4<sub>h</sub> = \u03b4<sub>y</sub> W<sub>2</sub><sup>T</sup> \u00b7 f\u2032(A<sub>1</sub>)",
                   "\u03b41 = (\u03b42 W2[1:]\u1d40) \u00d7 f\u2032(A1): W2 without row 0"),),
        setup=TOY_342, view="inspector", point=("micro", "inspector"),
        task=_micro("delta 1")[0], doing=_micro("delta 1")[1]),
    TourStep(
        "update", "The update", "backpropagation: the weight update",
        "<p>Each weight moves by the learning rate \u03b3 times the sum, over the rows, of the input at "
        "its start times the delta at its end. Here the post's \u201c\u00b7\u201d is a matrix product: "
        "H\u0304\u1d40 \u03b4_y sums over all 8 rows at once (full-batch gradient descent). It equals "
        "\u2212\u2202C/\u2202W2, so adding it lowers C.</p>"
        "<p>The last micro-step applies the update: the iteration counter goes up by one, and the weights "
        "are exactly those one <b>Step</b> would have given. Click a cell of \u0394W to see its sum.</p>",
        formulas=(("W<sub>2</sub><sup>t+1</sup> = W<sub>2</sub><sup>t</sup> + \u03b3 H\u0304<sup>T</sup> \u03b4<sub>y</sub>",
                   "W2 += lr [1, H1]\u1d40 \u03b42"),
                  ("W<sub>1</sub><sup>t+1</sup> = W<sub>1</sub><sup>t</sup> + \u03b3 X<sup>T</sup> \u03b4<sub>h</sub>",
                   "W1 += lr [1, H0]\u1d40 \u03b41"),
                  ("\u03b3", "learning rate (0.02 here)")),
        setup=TOY_342, view="inspector", point=("micro", "inspector"),
        task=_micro("update")[0], doing=_micro("update")[1]),
    TourStep(
        "toy", "The toy run: 3-6-6-2", "the R section: the toy example",
        "<p>The post's own function has two hidden layers of 6 nodes; it trains the toy set with a learning "
        "rate of 0.02 for 50,000 iterations and reaches 100%. The window is set up the same way, with the "
        "inputs as they are (0 and 1, unscaled, as the post has them).</p>"
        "<p>At the window's speed (2,000 iterations a second after a slow start) the run takes about half "
        "a minute; drag the speed slider to <i>max</i> if you do not want to wait. Measured: the mse is 0.22 "
        "at iteration 1,000, 0.11 at 5,000, 0.0091 at 10,000 and 0.000299 at 50,000, when all 8 rows are "
        "right.</p>",
        formulas=(("3 inputs, 2 \u00d7 6 hidden, 2 outputs", "toy 3-6-6-2 (hidden 6,6)"),
                  ("learning rate 0.02, 50,000 iterations", "lr 0.02, max iterations 50,000"),
                  ("accuracy 100%", "Predictions: 8 of 8")),
        setup=TOY_RUN, view="loss", point=("play", "loss"),
        task=Task("iteration", iteration=50_000),
        doing="press <b>Play</b> (Space) and let it run to iteration <b>50,000</b>"),
    TourStep(
        "iris-raw", "Iris as the post ran it", "the R section: the iris data set",
        "<p>Next the post trains the same 2 \u00d7 6 network on Fisher's iris data: 150 flowers, 4 "
        "measurements in centimetres, 3 species, so the network is 4-6-6-3. It does not say that it scales "
        "the inputs, so the window feeds them as they are (\u201cstandardise inputs\u201d is off).</p>"
        "<p>Watch the error plot: the curve falls, but in jumps, going up and down. Measured with these "
        "settings the last rise comes at iteration 4,277; after that the curve is smooth. The post saw "
        "its curve bounce too and suggested that \u201cthis could be an indication of the learning rate "
        "being too high\u201d. At 50,000 iterations 149 of the 150 flowers are right (99.3%).</p>",
        formulas=(("iris, 2 \u00d7 6 hidden", "iris 4-6-6-3"),
                  ("learning rate 0.02, 50,000 iterations", "lr 0.02, max iterations 50,000"),
                  ("the inputs as they are", "standardise inputs: off"),
                  ("the MSE bounces, then converges", "last rise at 4,277 (measured)")),
        setup=IRIS_RAW, view="loss", point=("play", "loss", "standardize"),
        task=Task("iteration", iteration=5_000),
        doing="press <b>Play</b> and watch the curve until iteration <b>5,000</b> at least "
              "(let it run on to 50,000 if you like)"),
    TourStep(
        "iris-scaled", "The same run with standardised inputs", "the R section: the iris data set, inputs scaled",
        "<p>The unscaled run of the previous step, if you trained it, is kept: its curve stays on the plot, "
        "dashed, and the <b>Runs</b> tab lists it. The window now trains the same network from the same start weights with each input "
        "standardised (minus its mean, divided by its standard deviation, as R's scale() does).</p>"
        "<p>What scaling changes: unscaled, the four inputs are all positive and of different sizes "
        "(sepal length 4.3 to 7.9 cm, petal width 0.1 to 2.5 cm), so one learning rate is a long step "
        "along some weights and a short one along others, and gradient descent zig-zags. Centred and "
        "scaled, they pull equally. Measured at lr 0.02: the scaled curve never rises once in 50,000 "
        "iterations; around iteration 1,000 its mse is 0.0089 while the unscaled one jumps between 0.011 "
        "and 0.027 from one iteration to the next; it gets below 0.005 after about 3,400 iterations, the "
        "unscaled run after about 4,400. Both end at 99.3%. The post's toy inputs are already 0 and 1, which is why it did not need this.</p>",
        formulas=(("the same 2 \u00d7 6 network", "iris 4-6-6-3, standardise inputs: on"),
                  ("x (unscaled)", "(x \u2212 mean) / sd, per input column (R's scale())"),
                  ("the same \u03b3 = 0.02", "lr 0.02, the same seed")),
        setup=IRIS_SCALED, view="loss", point=("play", "loss", "standardize"), keep=True,
        task=Task("iteration", iteration=5_000),
        doing="press <b>Play</b> until iteration <b>5,000</b> and compare with the dashed curve"),
    TourStep(
        "learning-rate", "The learning rate and the bouncing curve", "the R section: the MSE plot and the learning rate",
        "<p>The post read its curve as settling after about 15,000 iterations. The window now runs the "
        "unscaled iris network again with a learning rate four times smaller, 0.005 (the lr 0.02 run "
        "you kept stays on the plot, dashed).</p>"
        "<p>Measured: each bounce is smaller (the largest single rise of the error is 15%, against 142% at "
        "0.02), but the steps are shorter too, so the descent takes longer and the last rise comes at "
        "iteration 14,201: close to the post's \u201cabout 15,000\u201d. At 0.001 the curve never rises, "
        "but 50,000 iterations only reach mse 0.0075. With scaled inputs no rate up to 0.04 bounces at "
        "all: here the bouncing comes from the unscaled inputs more than from the rate.</p>",
        formulas=(("the same 2 \u00d7 6 network", "iris 4-6-6-3, standardise inputs: off"),
                  ("\u03b3 = 0.005", "learning rate 0.005"),
                  ("\u201cconvergence after approximately 15000 iterations\u201d", "last rise at 14,201 (measured)")),
        setup=IRIS_SLOW, view="loss", point=("play", "loss", "lr"),
        task=Task("iteration", iteration=15_000),
        doing="press <b>Play</b> until iteration <b>15,000</b>"),
    TourStep(
        "deeper", "Deeper networks", "Where's the deep part?",
        "<p>The post makes the point that a network with 10 hidden layers is no more complicated "
        "mathematically than one with 2: there are only more steps and more weights. In nnviz each "
        "extra layer adds one forward line (A = H\u0304 W, H = f(A)), one hidden delta of the same form "
        "(the next layer's delta times its weights without their bias row, times f\u2032), and one "
        "update. The inspector's stage buttons show them: \u03b4_h3, \u03b4_h2, \u03b4_h1.</p>"
        "<p>Not more complicated, but harder to train with the sigmoid: each hidden delta is multiplied by "
        "f\u2032 \u2264 \u00bc. Measured on iris at iteration 0 with 10 hidden layers of 6, the mean "
        "|\u03b4| is 0.11 at the output and 8 \u00d7 10<sup>\u22128</sup> at the first hidden layer, and "
        "50,000 iterations at lr 0.02 leave it at 34%, where 2 or 3 layers reach 99.3%. Set the diagram's "
        "<i>show</i> box to <i>gradient</i> to see the deltas fade towards the inputs.</p>",
        formulas=(("H\u0304<sub>l</sub> = [1, H<sub>l</sub>], H<sub>l+1</sub> = f(H\u0304<sub>l</sub> W<sub>l+1</sub>)",
                   "one more layer: one more line"),
                  ("\u03b4<sub>h,l</sub> = \u03b4<sub>h,l+1</sub> W<sub>l+1</sub><sup>T</sup> \u00b7 f\u2032(A<sub>l</sub>)",
                   "\u03b4l = (\u03b4l+1 W(l+1)[1:]\u1d40) \u00d7 f\u2032(Al)")),
        setup=IRIS_SCALED, view="diagram", point=("layer_buttons", "mode"),
        task=Task("layers", layers=3, free=("hidden",)),
        doing="add a hidden layer with the <b>+</b> at the left of the strip above the diagram "
              "(or type 6,6,6 in hidden layers)"),
    TourStep(
        "neuralnet", "Compare with R's neuralnet", "the comparison with the 'neuralnet' package",
        "<p>The post ends by training the same data with R's neuralnet package, which gets 100% on the "
        "toy set and does as well on iris. nnviz can do that comparison for the run in the window: "
        "<b>Runs \u203a Compare with R's neuralnet</b> (Ctrl+Shift+N) trains neuralnet from the same start "
        "weights with the same settings (its backprop algorithm with learningrate = lr), and adds both runs "
        "to the Runs tab. On the post's iris run the two networks' weights agree to 1.7 \u00d7 "
        "10<sup>\u221214</sup> after 50,000 iterations.</p>"
        "<p>It needs R with the neuralnet package: <code>apt install r-base-core</code>, then in R "
        "<code>install.packages('neuralnet')</code>. Without them the command says what is missing.</p>"
        "<p>That is the whole post. The <b>Runs</b> tab, sweeps and lessons (File \u203a Open session) "
        "are for going further.</p>",
        formulas=(("the iris network, 2 \u00d7 6 hidden", "iris 4-6-6-3, standardised"),
                  ("neuralnet(..., algorithm = \"backprop\", learningrate = 0.02)", "gd, lr 0.02"),
                  ("startweights", "the seed's start weights"),
                  ("steps", "iterations + 1 (neuralnet counts the first evaluation)")),
        setup=IRIS_SCALED, view="runs", point=("runs",),
        action=("Compare with R's neuralnet", "compare_with_neuralnet")),
)

KEYS = tuple(s.key for s in STEPS)


def index_of(key: str | None) -> int:
    """The step with this key (0 for an unknown or missing key)."""
    return KEYS.index(key) if key in KEYS else 0
