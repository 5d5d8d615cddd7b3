//! What a data person's CSV looks like: `;` or tab delimiters, a byte-order mark, NA-style
//! missing cells, and headers no message may print on several lines.

use logit_data::{fit_encoding, ColumnSpec, CsvFormat, Table};

type TestResult = Result<(), Box<dyn std::error::Error>>;

#[test]
fn the_delimiter_is_sniffed_and_a_bom_skipped() -> TestResult {
    for (text, delimiter) in [
        ("\u{feff}a;b;y\n1,5;x;0\n2;y;1\n", b';'),
        ("a\tb\ty\n1\tx\t0\n2\ty\t1\n", b'\t'),
        ("\"a;b\",c,y\n1,x,0\n2,y,1\n", b','),
        ("a|b|y\n1|x|0\n2|y|1\n", b'|'),
    ] {
        let t = Table::read(text.as_bytes(), "t.csv".as_ref())?;
        assert_eq!(t.headers.len(), 3, "{delimiter}: {:?}", t.headers);
        assert_eq!(t.len(), 2);
        assert!(!t.headers[0].starts_with('\u{feff}'), "{:?}", t.headers);
    }
    // a decimal comma inside a ;-separated file stays in its cell
    let t = Table::read("a;y\n1,5;0\n2,5;1\n".as_bytes(), "t.csv".as_ref())?;
    assert_eq!((t.cell(0, 0), t.cell(0, 1)), ("1,5".into(), "0".into()));
    // a forced delimiter wins over the sniffed one
    let forced: CsvFormat = ";".parse()?;
    let t = Table::read_as("a,b;y\n1,2;0\n".as_bytes(), "t.csv".as_ref(), forced)?;
    assert_eq!(t.headers, ["a,b", "y"]);
    assert_eq!("tab".parse::<CsvFormat>()?.delimiter, Some(b'\t'));
    assert!(";;".parse::<CsvFormat>().is_err());
    Ok(())
}

#[test]
fn na_spellings_are_missing_and_imputed() -> TestResult {
    let text = "x,colour,y\n1,red,0\nNA,blue,1\n3,?,0\nNaN,null,1\n5,red,1\n,NULL,0\n";
    let t = Table::read(text.as_bytes(), "t.csv".as_ref())?;
    let all: Vec<usize> = (0..t.len()).collect();
    let (e, _) = fit_encoding(&t, "y", None, &[], true, &all)?;
    match &e.columns[0] {
        ColumnSpec::Numeric { median, .. } => assert_eq!(*median, 3.0),
        other => return Err(format!("x should be numeric: {other:?}").into()),
    }
    match &e.columns[1] {
        ColumnSpec::Categorical { categories, .. } => assert_eq!(categories, &["blue", "red"]),
        other => return Err(format!("colour should be text: {other:?}").into()),
    }
    let (x, _) = e.transform(&t, &all)?;
    assert_eq!(x.to_vec::<f32>()[3..6], [3.0, 1.0, 0.0]); // NA → median, blue
    let no_impute = fit_encoding(&t, "y", None, &[], false, &all)?.0;
    let err = no_impute
        .transform(&t, &all)
        .err()
        .ok_or("an error")?
        .to_string();
    assert!(
        err.contains("t.csv:3:1") && err.contains("empty cell in column 'x'"),
        "{err}"
    );
    Ok(())
}

#[test]
fn names_and_cells_in_messages_stay_on_one_line() -> TestResult {
    let text = "\"bad\nname\",y\n1,0\nx,1\n2,0\n";
    let t = Table::read(text.as_bytes(), "t.csv".as_ref())?;
    let err = fit_encoding(&t, "y", None, &[], true, &[0, 1, 2])
        .err()
        .ok_or("mixed")?;
    let msg = err.to_string();
    assert_eq!(msg.lines().count(), 1, "{msg}");
    assert!(msg.contains("'bad\\nname'"), "{msg}");
    let long = format!("a,y\n{},0\n1,1\n", "z".repeat(300));
    let t = Table::read(long.as_bytes(), "t.csv".as_ref())?;
    let msg = fit_encoding(&t, "y", None, &[], true, &[0, 1])
        .err()
        .ok_or("mixed")?
        .to_string();
    assert!(msg.len() < 300 && msg.contains("zzz…'"), "{msg}");
    Ok(())
}
