//! NumPy's legacy binomial sampler for `p <= 0.5` (the caller mirrors larger `p`): inversion
//! while `n·p <= 30`, Kachitvichyanukul and Schmeiser's BTPE above, each with the per-(n, p)
//! set-up that NumPy caches between calls.

use super::RandomState;

/// The set-up of the last `(n, p)` drawn, reused while they stay the same (as NumPy's
/// `binomial_t`, which both algorithms share).
#[derive(Debug, Clone, Default)]
pub(super) struct BinomialCache {
    key: Option<(i64, u64)>,
    setup: Setup,
}

#[derive(Debug, Clone, Default)]
enum Setup {
    #[default]
    None,
    Inversion {
        q: f64,
        qn: f64,
        bound: i64,
    },
    Btpe(Btpe),
}

#[derive(Debug, Clone)]
struct Btpe {
    r: f64,
    q: f64,
    m: i64,
    p1: f64,
    xm: f64,
    xl: f64,
    xr: f64,
    c: f64,
    laml: f64,
    lamr: f64,
    p2: f64,
    p3: f64,
    p4: f64,
}

impl BinomialCache {
    /// One draw of `Binomial(n, p)` with `p <= 0.5`.
    pub(super) fn draw(&mut self, rs: &mut RandomState, n: i64, p: f64) -> i64 {
        let key = Some((n, p.to_bits()));
        let inversion = p * n as f64 <= 30.0;
        if self.key != key {
            self.key = key;
            self.setup = if inversion {
                let q = 1.0 - p;
                let np = n as f64 * p;
                Setup::Inversion {
                    q,
                    qn: (n as f64 * q.ln()).exp(),
                    bound: (n as f64).min(np + 10.0 * (np * q + 1.0).sqrt()) as i64,
                }
            } else {
                Setup::Btpe(Btpe::new(n, p))
            };
        }
        match &self.setup {
            Setup::Inversion { q, qn, bound } => inversion_draw(rs, n, p, *q, *qn, *bound),
            Setup::Btpe(b) => b.draw(rs, n, p),
            Setup::None => unreachable!("set up above"),
        }
    }
}

fn inversion_draw(rs: &mut RandomState, n: i64, p: f64, q: f64, qn: f64, bound: i64) -> i64 {
    let mut x = 0i64;
    let mut px = qn;
    let mut u = rs.next_double();
    while u > px {
        x += 1;
        if x > bound {
            x = 0;
            px = qn;
            u = rs.next_double();
        } else {
            u -= px;
            px = ((n - x + 1) as f64 * p * px) / (x as f64 * q);
        }
    }
    x
}

impl Btpe {
    fn new(n: i64, p: f64) -> Btpe {
        let nf = n as f64;
        let r = p.min(1.0 - p);
        let q = 1.0 - r;
        let fm = nf * r + r;
        let m = fm.floor() as i64;
        let p1 = (2.195 * (nf * r * q).sqrt() - 4.6 * q).floor() + 0.5;
        let xm = m as f64 + 0.5;
        let xl = xm - p1;
        let xr = xm + p1;
        let c = 0.134 + 20.5 / (15.3 + m as f64);
        let a = (fm - xl) / (fm - xl * r);
        let laml = a * (1.0 + a / 2.0);
        let a = (xr - fm) / (xr * q);
        let lamr = a * (1.0 + a / 2.0);
        let p2 = p1 * (1.0 + 2.0 * c);
        let p3 = p2 + c / laml;
        let p4 = p3 + c / lamr;
        Btpe {
            r,
            q,
            m,
            p1,
            xm,
            xl,
            xr,
            c,
            laml,
            lamr,
            p2,
            p3,
            p4,
        }
    }

    /// Steps 10–60 of BTPE: a triangle, two parallelograms and two exponential tails, with
    /// the squeeze and Stirling acceptance tests.
    fn draw(&self, rs: &mut RandomState, n: i64, p: f64) -> i64 {
        let nf = n as f64;
        let nrq = nf * self.r * self.q;
        loop {
            let u = rs.next_double() * self.p4;
            let mut v = rs.next_double();
            let y;
            if u <= self.p1 {
                y = (self.xm - self.p1 * v + u).floor() as i64;
                return self.finish(n, p, y);
            } else if u <= self.p2 {
                let x = self.xl + (u - self.p1) / self.c;
                v = v * self.c + 1.0 - (self.m as f64 - x + 0.5).abs() / self.p1;
                if v > 1.0 {
                    continue;
                }
                y = x.floor() as i64;
            } else if u <= self.p3 {
                y = (self.xl + v.ln() / self.laml).floor() as i64;
                if y < 0 || v == 0.0 {
                    continue;
                }
                v = v * (u - self.p2) * self.laml;
            } else {
                y = (self.xr - v.ln() / self.lamr).floor() as i64;
                if y > n || v == 0.0 {
                    continue;
                }
                v = v * (u - self.p3) * self.lamr;
            }
            if self.accept(n, nrq, y, v) {
                return self.finish(n, p, y);
            }
        }
    }

    fn accept(&self, n: i64, nrq: f64, y: i64, v: f64) -> bool {
        let k = (y - self.m).abs();
        if !(k > 20 && (k as f64) < nrq / 2.0 - 1.0) {
            let s = self.r / self.q;
            let a = s * (n as f64 + 1.0);
            let mut f = 1.0;
            if self.m < y {
                for i in self.m + 1..=y {
                    f *= a / i as f64 - s;
                }
            } else if self.m > y {
                for i in y + 1..=self.m {
                    f /= a / i as f64 - s;
                }
            }
            return v <= f;
        }
        let kf = k as f64;
        let rho = (kf / nrq) * ((kf * (kf / 3.0 + 0.625) + 0.166_666_666_666_666_66) / nrq + 0.5);
        let t = -kf * kf / (2.0 * nrq);
        let a = v.ln();
        if a < t - rho {
            return true;
        }
        if a > t + rho {
            return false;
        }
        let (nf, m) = (n as f64, self.m as f64);
        let x1 = y as f64 + 1.0;
        let f1 = m + 1.0;
        let z = nf + 1.0 - m;
        let w = nf - y as f64 + 1.0;
        let stirling = |v: f64| {
            let v2 = v * v;
            (13680. - (462. - (132. - (99. - 140. / v2) / v2) / v2) / v2) / v / 166320.
        };
        let bound = self.xm * (f1 / x1).ln()
            + (nf - m + 0.5) * (z / w).ln()
            + (y as f64 - m) * (w * self.r / (x1 * self.q)).ln()
            + stirling(f1)
            + stirling(z)
            + stirling(x1)
            + stirling(w);
        a <= bound
    }

    fn finish(&self, n: i64, p: f64, y: i64) -> i64 {
        if p > 0.5 {
            n - y
        } else {
            y
        }
    }
}
