//! Building the ONNX graph from a trace: value names, initializers and nodes.

use std::collections::HashMap;

use logit_core::trace::Trace;
use logit_core::{DType, Error, Result, Storage, Tensor};

use crate::proto::{
    attribute_type, data_type, AttributeProto, Dimension, NodeProto, TensorProto, TensorShapeProto,
    TensorTypeProto, TypeProto, ValueInfoProto,
};

/// The graph being written: every tensor the trace touched gets one value name.
pub(crate) struct Builder<'a> {
    trace: &'a Trace,
    pub(crate) nodes: Vec<NodeProto>,
    pub(crate) initializers: Vec<TensorProto>,
    /// Value names of tensors already in the graph, by tensor id.
    names: HashMap<u64, String>,
    /// State-dict names of the model's parameters and buffers, emitted on first use.
    params: HashMap<u64, String>,
    /// The example's batch size: a reshape that keeps it keeps the batch dimension dynamic.
    pub(crate) batch: usize,
    /// Names reserved for particular outputs (the graph's `output`).
    reserved: HashMap<u64, String>,
    fresh: usize,
}

impl<'a> Builder<'a> {
    pub(crate) fn new(
        trace: &'a Trace,
        params: HashMap<u64, String>,
        input: &Tensor,
        output: &Tensor,
    ) -> Builder<'a> {
        let mut b = Builder {
            trace,
            nodes: Vec::new(),
            initializers: Vec::new(),
            names: HashMap::new(),
            params,
            batch: input.shape()[0],
            reserved: HashMap::new(),
            fresh: 0,
        };
        b.names.insert(input.id(), "input".into());
        b.reserved.insert(output.id(), "output".into());
        b
    }

    /// The value name of a tensor an op reads: the input, an earlier op's output, a parameter
    /// or buffer (written as an initializer under its state-dict name), or a constant made
    /// before the pass.
    pub(crate) fn value(&mut self, t: &Tensor) -> Result<String> {
        if let Some(n) = self.names.get(&t.id()) {
            return Ok(n.clone());
        }
        if let Some(name) = self.params.remove(&t.id()) {
            self.initializer(&name, t)?;
            self.names.insert(t.id(), name.clone());
            return Ok(name);
        }
        if self.trace.created_during(t) {
            return Err(Error::invalid(
                "ONNX export",
                "a forward built from ops ONNX export knows",
                format!(
                    "a tensor of shape {:?} made inside forward by an op the trace cannot \
                     follow (a comparison, an indexing op or a tensor built in forward)",
                    t.shape()
                ),
            ));
        }
        let name = self.fresh_name("const");
        self.initializer(&name, t)?;
        self.names.insert(t.id(), name.clone());
        Ok(name)
    }

    /// A new constant of one value in `dtype`.
    pub(crate) fn scalar(&mut self, v: f64, dtype: DType) -> Result<String> {
        let name = self.fresh_name("const");
        self.initializer(&name, &Tensor::full_dtype(&[], v, dtype))?;
        Ok(name)
    }

    /// A new 1-D int64 constant (a shape, a list of axes).
    pub(crate) fn ints(&mut self, v: &[i64]) -> String {
        let name = self.fresh_name("const");
        self.initializers.push(TensorProto {
            dims: vec![v.len() as i64],
            data_type: data_type::INT64,
            name: name.clone(),
            raw_data: v.iter().flat_map(|x| x.to_le_bytes()).collect(),
        });
        name
    }

    fn initializer(&mut self, name: &str, t: &Tensor) -> Result<()> {
        let storage = t.storage();
        let data_type = match storage.dtype() {
            DType::I64 => data_type::INT64,
            DType::Bool => {
                return Err(Error::invalid(
                    "ONNX export",
                    "float or integer constants",
                    format!("a bool tensor of shape {:?}", t.shape()),
                ))
            }
            float => elem_type(float)?,
        };
        self.initializers.push(TensorProto {
            dims: t.shape().iter().map(|&d| d as i64).collect(),
            data_type,
            name: name.to_string(),
            raw_data: Storage::to_le_bytes(&storage),
        });
        Ok(())
    }

    pub(crate) fn fresh_name(&mut self, prefix: &str) -> String {
        self.fresh += 1;
        format!("{prefix}_{}", self.fresh)
    }

    /// Adds a node computing `output` (a traced op's output tensor).
    pub(crate) fn node(
        &mut self,
        op_type: &str,
        inputs: Vec<String>,
        output: &Tensor,
        attribute: Vec<AttributeProto>,
    ) {
        let name = match self.reserved.get(&output.id()) {
            Some(n) => n.clone(),
            None => self.fresh_name(&op_type.to_lowercase()),
        };
        self.names.insert(output.id(), name.clone());
        self.node_to(op_type, inputs, name, attribute);
    }

    /// Adds a node writing the value `output` (an intermediate of a multi-node op).
    pub(crate) fn node_to(
        &mut self,
        op_type: &str,
        inputs: Vec<String>,
        output: String,
        attribute: Vec<AttributeProto>,
    ) {
        let name = format!("{op_type}_{}", self.nodes.len());
        self.nodes.push(NodeProto {
            input: inputs,
            output: vec![output],
            name,
            op_type: op_type.to_string(),
            attribute,
        });
    }

    /// The name the graph output got, or `None` when no node made it (the model returned
    /// its input or a constant).
    pub(crate) fn output_name(&self, output: &Tensor) -> Option<&String> {
        self.names.get(&output.id())
    }
}

/// An `INT` attribute.
pub(crate) fn int(name: &str, i: i64) -> AttributeProto {
    AttributeProto {
        name: name.into(),
        r#type: attribute_type::INT,
        i,
        ..Default::default()
    }
}

/// An `INTS` attribute.
pub(crate) fn ints(name: &str, ints: Vec<i64>) -> AttributeProto {
    AttributeProto {
        name: name.into(),
        r#type: attribute_type::INTS,
        ints,
        ..Default::default()
    }
}

/// A `FLOAT` attribute.
pub(crate) fn float(name: &str, f: f64) -> AttributeProto {
    AttributeProto {
        name: name.into(),
        r#type: attribute_type::FLOAT,
        f: f as f32,
        ..Default::default()
    }
}

/// The ONNX element type of a float dtype.
pub(crate) fn elem_type(dtype: DType) -> Result<i32> {
    match dtype {
        DType::F32 => Ok(data_type::FLOAT),
        DType::F64 => Ok(data_type::DOUBLE),
        other => Err(Error::invalid(
            "ONNX export",
            "an f32 or f64 input and output",
            format!("{other:?}"),
        )),
    }
}

/// A graph input or output: `shape` with its first dimension named `batch`.
pub(crate) fn value_info(name: &str, shape: &[usize], dtype: DType) -> Result<ValueInfoProto> {
    let dim = shape
        .iter()
        .enumerate()
        .map(|(i, &d)| match i {
            0 => Dimension {
                dim_value: None,
                dim_param: Some("batch".into()),
            },
            _ => Dimension {
                dim_value: Some(d as i64),
                dim_param: None,
            },
        })
        .collect();
    Ok(ValueInfoProto {
        name: name.into(),
        r#type: Some(TypeProto {
            tensor_type: Some(TensorTypeProto {
                elem_type: elem_type(dtype)?,
                shape: Some(TensorShapeProto { dim }),
            }),
        }),
    })
}
