//! PyTorch's and NumPy's random streams, bit for bit (tests/fixtures/pytorch/random.json, made
//! by random_streams.py with PyTorch 2.15 on an AVX2 CPU and NumPy's legacy RandomState).

mod common;

use std::sync::Mutex;

use logit::core::random::{set_cpu_capability, CpuCapability};
use logit::core::{get_rng_state, manual_seed, DType, Generator, Result, Tensor};
use logit::data::{DataLoader, RandomState};
use logit::models::ResNet;
use logit::nn::init::{self, FanMode, Nonlinearity};
use logit::nn::{Conv2d, Conv2dConfig, Linear, Module};
use serde_json::Value;

/// The global generator is process-wide: the tests here take turns.
static SERIAL: Mutex<()> = Mutex::new(());

/// A tensor's elements as the fixture's bit patterns (IEEE bits for floats).
fn bits(t: &Tensor) -> Vec<u64> {
    match t.dtype() {
        DType::F32 => t
            .to_vec::<f32>()
            .iter()
            .map(|v| v.to_bits() as u64)
            .collect(),
        DType::F64 => t.to_vec::<f64>().iter().map(|v| v.to_bits()).collect(),
        DType::I64 => t.to_vec::<i64>().iter().map(|&v| v as u64).collect(),
        DType::Bool => t.to_vec::<bool>().iter().map(|&v| v as u64).collect(),
    }
}

fn expected_bits(v: &Value) -> Vec<u64> {
    v["bits"]
        .as_array()
        .expect("bits")
        .iter()
        .map(|b| {
            b.as_u64()
                .unwrap_or_else(|| b.as_i64().expect("an integer") as u64)
        })
        .collect()
}

fn f(shape: &[usize], dt: DType) -> Tensor {
    Tensor::zeros_dtype(shape, dt)
}

fn dt(name: &str) -> DType {
    if name.contains("f64") {
        DType::F64
    } else {
        DType::F32
    }
}

/// The logit twin of each case in random_streams.py's `torch_streams`.
fn run(name: &str, seed: u64) -> Result<Vec<Tensor>> {
    let d = dt(name);
    let size = |n: &str| -> usize {
        n.rsplit('_')
            .next()
            .and_then(|s| s.parse().ok())
            .unwrap_or(0)
    };
    let fill = |n: usize, fill: &dyn Fn(&Tensor) -> Result<()>| -> Result<Vec<Tensor>> {
        let t = f(&[n], d);
        fill(&t)?;
        Ok(vec![t])
    };
    Ok(match name {
        n if n.starts_with("rand_") => vec![Tensor::uniform(&[size(n)], 0.0, 1.0, d, None)?],
        n if n.starts_with("randn_") && n.ends_with("3x7") => {
            vec![Tensor::normal(&[3, 7], 0.0, 1.0, d, None)?]
        }
        n if n.starts_with("randn_") && n != "randn_cache" => {
            vec![Tensor::normal(&[size(n)], 0.0, 1.0, d, None)?]
        }
        n if n.starts_with("normal_") && n.ends_with("_5") => {
            fill(5, &|t| t.normal_(-1.0, 0.3, None))?
        }
        n if n.starts_with("normal_") => fill(size(n), &|t| t.normal_(0.5, 2.0, None))?,
        n if n.starts_with("uniform_") => fill(17, &|t| t.uniform_(-2.0, 3.0, None))?,
        n if n.starts_with("bernoulli_p_") => {
            vec![Tensor::linspace(0.0, 1.0, 50).to_dtype(d).bernoulli(None)?]
        }
        "randn_cache" => [5, 3, 17, 1].iter().map(|&n| Tensor::randn(&[n])).collect(),
        "randint" => vec![
            Tensor::randint(0, 10, &[17])?,
            Tensor::randint(-5, 5, &[1000])?,
            Tensor::randint(0, 1 << 40, &[5])?,
            Tensor::randint(0, 2, &[64, 1])?,
        ],
        "randperm" => [1, 2, 5, 16, 17, 1000]
            .iter()
            .map(|&n| Tensor::randperm(n, None))
            .collect(),
        "bernoulli_" => {
            let a = f(&[1000], DType::F32);
            a.bernoulli_(0.3, None)?;
            let b = f(&[7], DType::F64);
            b.bernoulli_(0.5, None)?;
            vec![a, b]
        }
        "dropout" => vec![
            Tensor::ones(&[1000]).dropout(0.2, true)?,
            Tensor::ones_dtype(&[40], DType::F64).dropout(0.5, true)?,
        ],
        "like" => vec![
            f(&[4, 5], DType::F32).rand_like(),
            f(&[20], DType::F64).randn_like(),
        ],
        "interleaved" => {
            let a = Tensor::randint(0, 2, &[64, 1])?;
            let b = Tensor::randn(&[5]);
            let lin = Linear::new(10, 1)?;
            let c = Tensor::randn(&[3]);
            let d = Tensor::randn(&[20]);
            vec![
                a,
                b,
                lin.weight.clone(),
                lin.bias.clone().expect("bias"),
                c,
                d,
            ]
        }
        "generators" => {
            let mut g = Generator::new(seed + 7);
            let a = Tensor::randn_with(&[10], &mut g);
            let b = Tensor::randn(&[4]);
            let c = Tensor::rand_with(&[20], &mut g);
            let d = Tensor::randperm(9, Some(&mut g));
            vec![a, b, c, d]
        }
        "init" => init_cases()?,
        "layers" => {
            let a = Linear::new(8, 12)?;
            let b = Conv2d::new(3, 8, 3, Conv2dConfig::default())?;
            let c = Linear::with_bias(4, 2, false)?;
            let bias = |o: &Option<Tensor>| o.clone().expect("bias");
            vec![
                a.weight.clone(),
                bias(&a.bias),
                b.weight.clone(),
                bias(&b.bias),
                c.weight.clone(),
            ]
        }
        "loaders" => loader_cases(seed)?,
        "state" => {
            Tensor::randn(&[5]);
            let s = get_rng_state();
            let st = Tensor::from_vec(s.iter().map(|&b| b as i64).collect(), &[s.len()])?;
            vec![st, Tensor::randn(&[3])]
        }
        other => panic!("no logit twin for case {other}"),
    })
}

fn init_cases() -> Result<Vec<Tensor>> {
    let w = || f(&[20, 30], DType::F32);
    let mut out = Vec::new();
    type Init<'a> = &'a dyn Fn(&Tensor) -> Result<()>;
    let fns: [Init; 7] = [
        &|w| {
            init::kaiming_uniform_(
                w,
                5f64.sqrt(),
                FanMode::FanIn,
                Nonlinearity::LeakyRelu,
                None,
            )
        },
        &|w| init::kaiming_uniform_(w, 0.0, FanMode::FanIn, Nonlinearity::LeakyRelu, None),
        &|w| init::kaiming_normal_(w, 0.0, FanMode::FanOut, Nonlinearity::Relu, None),
        &|w| init::xavier_uniform_(w, 1.0, None),
        &|w| init::xavier_normal_(w, init::calculate_gain(Nonlinearity::Tanh, None), None),
        &|w| init::uniform_(w, -0.1, 0.2, None),
        &|w| init::normal_(w, 0.3, 0.02, None),
    ];
    for fun in fns {
        let t = w();
        fun(&t)?;
        out.push(t);
    }
    let c = f(&[8, 3, 3, 3], DType::F32);
    init::kaiming_normal_(&c, 0.0, FanMode::FanOut, Nonlinearity::Relu, None)?;
    out.push(c);
    Ok(out)
}

fn epoch(loader: &mut DataLoader) -> Result<Tensor> {
    let parts: Vec<Tensor> = loader
        .iter()
        .map(|b| b.map(|(x, _)| x))
        .collect::<Result<_>>()?;
    Tensor::cat(&parts, 0)
}

fn loader_cases(seed: u64) -> Result<Vec<Tensor>> {
    let x = Tensor::arange(0.0, 10.0, 1.0)?.to_dtype(DType::I64);
    let mut res = Vec::new();
    for shuffled in [true, false] {
        let mut loader = DataLoader::new(&x, &x, 4)?;
        if shuffled {
            loader = loader.shuffle_global();
        }
        res.push(epoch(&mut loader)?);
        res.push(epoch(&mut loader)?);
        res.push(Tensor::randn(&[3]));
    }
    let mut loader = DataLoader::new(&x, &x, 3)?.shuffle(seed + 3);
    res.push(epoch(&mut loader)?);
    res.push(epoch(&mut loader)?);
    res.push(Tensor::randn(&[3]));
    Ok(res)
}

/// Runs every case of `cases` from its seed and compares each output bit for bit.
fn check_streams(cases: &[Value]) -> Result<()> {
    for case in cases {
        let (name, seed) = (
            case["name"].as_str().expect("name"),
            case["seed"].as_u64().expect("seed"),
        );
        manual_seed(seed);
        let got = run(name, seed)?;
        let want = case["outputs"].as_array().expect("outputs");
        assert_eq!(
            got.len(),
            want.len(),
            "{name} seed {seed}: number of outputs"
        );
        for (k, (g, w)) in got.iter().zip(want).enumerate() {
            let shape: Vec<usize> = serde_json::from_value(w["shape"].clone()).expect("shape");
            assert_eq!(
                g.shape(),
                &shape[..],
                "{name} seed {seed} output {k}: shape"
            );
            let (gb, wb) = (bits(g), expected_bits(w));
            let bad = gb.iter().zip(&wb).position(|(a, b)| a != b);
            assert!(
                bad.is_none(),
                "{name} seed {seed} output {k}: element {} differs ({} of {})",
                bad.unwrap_or(0),
                gb.iter().zip(&wb).filter(|(a, b)| a != b).count(),
                wb.len()
            );
        }
    }
    Ok(())
}

#[test]
fn torch_streams_match_bit_for_bit() -> Result<()> {
    let _turn = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let fx = common::fixture("random.json");
    let cases = fx["torch_streams"].as_array().expect("cases");
    assert!(cases.len() > 150);
    check_streams(cases)
}

/// PyTorch's DEFAULT CPU build (no fused multiply-adds, libm's `f32` functions) gives other
/// last bits; `set_cpu_capability(Default)` follows it.
#[test]
fn default_cpu_build_streams_match_bit_for_bit() -> Result<()> {
    let _turn = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let fx = common::fixture("random.json");
    let cases = fx["default_capability_streams"].as_array().expect("cases");
    assert!(cases.len() > 60);
    set_cpu_capability(CpuCapability::Default);
    let result = check_streams(cases);
    set_cpu_capability(CpuCapability::Avx2);
    result
}

#[test]
fn numpy_legacy_streams_match_bit_for_bit() -> Result<()> {
    let fx = common::fixture("random.json");
    let p: Vec<f64> = (0..40).map(|i| 0.05 + 0.9 * i as f64 / 39.0).collect();
    let pc = [0.1, 0.2, 0.3, 0.25, 0.15];
    for case in fx["numpy_streams"].as_array().expect("cases") {
        let seed = case["seed"].as_u64().expect("seed") as u32;
        let mut rs = RandomState::new(seed);
        let floats = |v: Vec<f64>| v.iter().map(|x| x.to_bits()).collect::<Vec<u64>>();
        let ints = |v: Vec<i64>| v.iter().map(|&x| x as u64).collect::<Vec<u64>>();
        let idx = |v: Vec<usize>| v.iter().map(|&x| x as u64).collect::<Vec<u64>>();
        let got: Vec<Vec<u64>> = vec![
            floats(rs.rand(5)),
            floats(rs.randn(7)),
            floats(rs.normal(0.5, 0.15, 10)?),
            floats(rs.uniform(-1.0, 2.0, 5)?),
            ints(rs.binomial(1, &p)?),
            ints(rs.binomial(1000, &[0.4; 20])?),
            ints(rs.binomial(50, &[0.8; 20])?),
            ints(rs.binomial(20, &[0.3; 20])?),
            idx(rs.permutation(10)),
            idx(rs.choice(10, 5, true, None)?),
            idx(rs.choice(10, 5, false, None)?),
            idx(rs.choice(5, 8, true, Some(&pc))?),
            idx(rs.choice(5, 3, false, Some(&pc))?),
            ints(rs.randint(0, 100, 10)?),
            floats(rs.randn(3)),
        ];
        let want = case["outputs"].as_array().expect("outputs");
        for (k, (g, w)) in got.iter().zip(want).enumerate() {
            assert_eq!(g, &expected_bits(w), "numpy seed {seed} output {k}");
        }
    }
    Ok(())
}

#[test]
fn seeded_resnets_match_torchvision_init() -> Result<()> {
    let _turn = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let fx = common::fixture("random.json");
    for case in fx["resnet_init"].as_array().expect("cases") {
        manual_seed(case["seed"].as_u64().expect("seed"));
        let m = match case["model"].as_str() {
            Some("resnet18") => ResNet::resnet18(1000)?,
            _ => ResNet::resnet50(1000)?,
        };
        let sd = m.state_dict();
        let sums = case["sums"].as_object().expect("sums");
        assert_eq!(sd.keys().len(), sums.len());
        for (key, want) in sums {
            let t = sd
                .get(key)
                .unwrap_or_else(|| panic!("missing {key}"))
                .to_dtype(DType::F64);
            let v = t.to_vec::<f64>();
            let w: Vec<f64> = serde_json::from_value(want.clone()).expect("sums");
            let got = [
                v.iter().sum::<f64>(),
                v.iter().map(|x| x.abs()).sum::<f64>(),
                v[0],
            ];
            for (g, e) in got.iter().zip(&w) {
                assert!(
                    (g - e).abs() <= 1e-9 * e.abs().max(1.0),
                    "{key}: {got:?} vs {w:?}"
                );
            }
        }
    }
    Ok(())
}
