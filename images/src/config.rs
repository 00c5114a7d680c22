//! The default `config.txt` for the GPU firmware.

use crate::{INITFS_ADDRESS, INITFS_FILE_NAME, KERNEL_ADDRESS, KERNEL_FILE_NAME};

/// The settings rendered into the default `config.txt` by [`render_config_txt`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigOptions {
    /// File name of the kernel (`kernel=`), default `kernel.img`.
    pub kernel_file: String,
    /// Load address of the kernel (`kernel_address=`), default `0x8000`.
    pub kernel_address: u32,
    /// File name of the initfs archive; `None` leaves out the `initramfs` line.
    pub initramfs_file: Option<String>,
    /// Load address of the initfs archive, default `0x2000000`.
    pub initramfs_address: u32,
    /// `disable_overscan=1` when true.
    pub disable_overscan: bool,
    /// `framebuffer_width=`, default 640.
    pub framebuffer_width: u32,
    /// `framebuffer_height=`, default 480.
    pub framebuffer_height: u32,
    /// `framebuffer_depth=` in bits per pixel, default 16.
    pub framebuffer_depth: u32,
    /// `enable_uart=1` when true.
    pub enable_uart: bool,
}

impl Default for ConfigOptions {
    fn default() -> Self {
        ConfigOptions {
            kernel_file: KERNEL_FILE_NAME.to_string(),
            kernel_address: KERNEL_ADDRESS,
            initramfs_file: None,
            initramfs_address: INITFS_ADDRESS,
            disable_overscan: true,
            framebuffer_width: 640,
            framebuffer_height: 480,
            framebuffer_depth: 16,
            enable_uart: true,
        }
    }
}

impl ConfigOptions {
    /// The default options, with the `initramfs initfs.cpio 0x2000000` line when `with_initfs`.
    pub fn for_image(with_initfs: bool) -> Self {
        ConfigOptions {
            initramfs_file: with_initfs.then(|| INITFS_FILE_NAME.to_string()),
            ..ConfigOptions::default()
        }
    }
}

/// Renders `config.txt`: a comment line, then `key=value` lines in a fixed order,
/// each line ending in `\n`.
///
/// ```
/// let text = images::render_config_txt(&images::ConfigOptions::for_image(true));
/// assert!(text.contains("\ninitramfs initfs.cpio 0x2000000\n"));
/// ```
pub fn render_config_txt(options: &ConfigOptions) -> String {
    let mut text = String::from("# PiPyOS boot configuration (Raspberry Pi 1 / Zero)\n");
    text.push_str(&format!("kernel={}\n", options.kernel_file));
    text.push_str(&format!("kernel_address={:#x}\n", options.kernel_address));
    if let Some(initramfs_file) = &options.initramfs_file {
        text.push_str(&format!(
            "initramfs {} {:#x}\n",
            initramfs_file, options.initramfs_address
        ));
    }
    text.push_str(&format!(
        "disable_overscan={}\n",
        u8::from(options.disable_overscan)
    ));
    text.push_str(&format!(
        "framebuffer_width={}\n",
        options.framebuffer_width
    ));
    text.push_str(&format!(
        "framebuffer_height={}\n",
        options.framebuffer_height
    ));
    text.push_str(&format!(
        "framebuffer_depth={}\n",
        options.framebuffer_depth
    ));
    text.push_str(&format!("enable_uart={}\n", u8::from(options.enable_uart)));
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_without_initfs() {
        assert_eq!(
            render_config_txt(&ConfigOptions::for_image(false)),
            "# PiPyOS boot configuration (Raspberry Pi 1 / Zero)\n\
             kernel=kernel.img\n\
             kernel_address=0x8000\n\
             disable_overscan=1\n\
             framebuffer_width=640\n\
             framebuffer_height=480\n\
             framebuffer_depth=16\n\
             enable_uart=1\n"
        );
    }

    #[test]
    fn default_with_initfs() {
        assert_eq!(
            render_config_txt(&ConfigOptions::for_image(true)),
            "# PiPyOS boot configuration (Raspberry Pi 1 / Zero)\n\
             kernel=kernel.img\n\
             kernel_address=0x8000\n\
             initramfs initfs.cpio 0x2000000\n\
             disable_overscan=1\n\
             framebuffer_width=640\n\
             framebuffer_height=480\n\
             framebuffer_depth=16\n\
             enable_uart=1\n"
        );
    }

    #[test]
    fn switches_render_as_zero() {
        let options = ConfigOptions {
            disable_overscan: false,
            enable_uart: false,
            ..ConfigOptions::default()
        };
        let text = render_config_txt(&options);
        assert!(text.contains("\ndisable_overscan=0\n"));
        assert!(text.ends_with("\nenable_uart=0\n"));
    }
}
