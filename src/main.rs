fn main() {
    println!("archc");
}
