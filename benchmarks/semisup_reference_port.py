"""Cross-check of ``SemiSupervisedGAN``: a from-scratch TensorFlow port of the reference code's MNIST run.

    python benchmarks/semisup_reference_port.py 1200     # steps; prints losses and test errors every 200

openai/improved-gan ``train_mnist_feature_matching.py`` (Salimans et al. 2016) line by line with raw
``tf.Variable``s: its ``nn.DenseLayer`` weight norm and data-dependent init, Gaussian noise, the generator's
batch norm and ``l2normalize``, its ``nn.adam_updates`` (epsilon under the square root) and its batches.
No Keras layer and no tfgans model code is used (only ``tfgans.data.load_arrays`` to read MNIST), so if
its losses and test errors follow the same course as ``tfgans semisup``'s, the flavor reproduces the
reference algorithm and any gap to the paper is not a porting error. Test errors use the current
parameters (the reference tests with a slow moving average of them). 100 labels, seed 1.
"""
import sys, time, numpy as np, tensorflow as tf
from tfgans import data as D
steps = int(sys.argv[1]) if len(sys.argv) > 1 else 1200
data_dir = sys.argv[2] if len(sys.argv) > 2 else "../shared/tfds"
seed = 1
rng = np.random.RandomState(seed)
tf.random.set_seed(seed)
x, y = D.load_arrays("mnist", data_dir=data_dir)
x = (x.reshape(-1, 784) / 255.0).astype("float32"); y = y.astype("int32")
xt, yt = D.load_arrays("mnist", split="test", data_dir=data_dir)
xt = (xt.reshape(-1, 784) / 255.0).astype("float32"); yt = yt.astype("int32")
drng = np.random.RandomState(1)
inds = drng.permutation(len(x)); tx, ty = x[inds], y[inds]
txs = np.concatenate([tx[ty == j][:10] for j in range(10)]); tys = np.concatenate([ty[ty == j][:10] for j in range(10)])

def var(v, trainable=True): return tf.Variable(np.asarray(v, "float32"), trainable=trainable)
# discriminator: nn.DenseLayer (theta N(0,.1), weight_scale 1 (trainable only last), b 0)
sizes = [784, 1000, 500, 250, 250, 250, 10]
dW = [var(rng.normal(0, 0.1, (a, b))) for a, b in zip(sizes[:-1], sizes[1:])]
dS = [var(np.ones(b), trainable=(i == 5)) for i, b in enumerate(sizes[1:])]
dB = [var(np.zeros(b)) for b in sizes[1:]]
# generator
def glorot(a, b): s = np.sqrt(6.0 / (a + b)); return rng.uniform(-s, s, (a, b))
gW1, gb1 = var(glorot(100, 500)), var(np.zeros(500))
gW2, gb2 = var(glorot(500, 500)), var(np.zeros(500))
gW3, gS3, gB3 = var(glorot(500, 784)), var(np.ones(784)), var(np.zeros(784))
gparams = [gW1, gb1, gW2, gb2, gW3, gS3, gB3]
dparams = dW + dB + [dS[-1]]

def bn(h):
    m = tf.reduce_mean(h, 0); v = tf.reduce_mean(tf.square(h - m), 0)
    return (h - m) / tf.sqrt(1e-6 + v)
def gen(n):
    z = tf.random.uniform((n, 100))
    h = tf.nn.softplus(bn(z @ gW1) + gb1)
    h = tf.nn.softplus(bn(h @ gW2) + gb2)
    W = gW3 * (gS3 / tf.sqrt(1e-6 + tf.reduce_sum(tf.square(gW3), 0)))
    return tf.sigmoid(h @ W + gB3)
def disc(x, noise=True, feat=False, init=False):
    h = x + (tf.random.normal(tf.shape(x), stddev=0.3) if noise else 0)
    for i in range(6):
        W = dW[i] * (dS[i] / tf.sqrt(tf.reduce_sum(tf.square(dW[i]), 0)))
        a = h @ W
        if init:
            ma = tf.reduce_mean(a, 0); a = a - ma; sd = tf.sqrt(tf.reduce_mean(tf.square(a), 0)); a = a / sd
            dS[i].assign(dS[i] / sd); dB[i].assign(-ma / sd)
        else:
            a = a + dB[i]
        if i == 5: return a
        h = tf.nn.relu(a)
        if feat and i == 4: return h
        if noise: h = h + tf.random.normal(tf.shape(h), stddev=0.5)
    return h
def lse(l): return tf.reduce_logsumexp(l, 1)

class Adam:
    def __init__(self, params, lr=0.003, b1=0.5, b2=0.999):
        self.p = params; self.lr = lr; self.b1 = b1; self.b2 = b2; self.t = tf.Variable(1.0)
        self.m = [tf.Variable(tf.zeros_like(p)) for p in params]; self.v = [tf.Variable(tf.zeros_like(p)) for p in params]
    def apply(self, grads):
        t = self.t
        for p, g, m, v in zip(self.p, grads, self.m, self.v):
            m.assign(self.b1 * m + (1 - self.b1) * g); v.assign(self.b2 * v + (1 - self.b2) * g * g)
            p.assign_sub(self.lr * (m / (1 - self.b1 ** t)) / tf.sqrt(v / (1 - self.b2 ** t) + 1e-8))
        self.t.assign_add(1.0)
dopt, gopt = Adam(dparams), Adam(gparams)

@tf.function
def dstep(xl, yl, xu):
    with tf.GradientTape() as tape:
        ll = disc(xl); lu = disc(xu); lf = disc(gen(100))
        loss_lab = -tf.reduce_mean(tf.gather(ll, yl, batch_dims=1)) + tf.reduce_mean(lse(ll))
        loss_unl = (-0.5 * tf.reduce_mean(lse(lu)) + 0.5 * tf.reduce_mean(tf.nn.softplus(lse(lu)))
                    + 0.5 * tf.reduce_mean(tf.nn.softplus(lse(lf))))
        loss = loss_lab + loss_unl
    dopt.apply(tape.gradient(loss, dparams))
    return loss_lab, loss_unl
@tf.function
def gstep(xu):
    with tf.GradientTape() as tape:
        mg = tf.reduce_mean(disc(gen(100), feat=True), 0); mr = tf.reduce_mean(disc(xu, feat=True), 0)
        loss = tf.reduce_mean(tf.square(mg - mr))
    gopt.apply(tape.gradient(loss, gparams))
    return loss
@tf.function
def test_err(xb, yb):
    return tf.reduce_sum(tf.cast(tf.not_equal(tf.argmax(disc(xb, noise=False), 1, output_type=tf.int32), yb), tf.float32))

gen(100); disc(tf.constant(tx[:500]), init=True)
xu1, xu2 = x.copy(), x.copy()
t = 0; t0 = time.time()
while t < steps:
    perms = [rng.permutation(100) for _ in range(600)]
    lx = np.concatenate([txs[p] for p in perms]); ly = np.concatenate([tys[p] for p in perms])
    xu1 = xu1[rng.permutation(len(xu1))]; xu2 = xu2[rng.permutation(len(xu2))]
    stats = []
    for b in range(600):
        if t >= steps: break
        s = slice(b * 100, (b + 1) * 100)
        l1, l2 = dstep(lx[s], ly[s], xu1[s]); lg = gstep(xu2[s]); stats.append((float(l1), float(l2), float(lg))); t += 1
        if t % 200 == 0:
            errs = sum(float(test_err(xt[i:i + 1000], yt[i:i + 1000])) for i in range(0, 10000, 1000))
            a = np.mean(stats[-200:], 0)
            print(f"raw step {t} loss_lab {a[0]:.4f} loss_unl {a[1]:.4f} loss_gen {a[2]:.4f} test_errors(raw params) {errs:.0f} {time.time()-t0:.0f}s", flush=True)
