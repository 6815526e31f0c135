#include "experiments/hdf5/file.hpp"

#include <utility>

namespace qsnn::experiments::h5 {

namespace {

// HDF5 prints its whole error stack to stderr by default; our exceptions name the failure instead. Switched
// off for the calls made here only, then restored.
class QuietErrors {
 public:
  QuietErrors() {
    H5Eget_auto2(H5E_DEFAULT, &function_, &data_);
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  }
  ~QuietErrors() { H5Eset_auto2(H5E_DEFAULT, function_, data_); }
  QuietErrors(const QuietErrors&) = delete;
  QuietErrors& operator=(const QuietErrors&) = delete;

 private:
  H5E_auto2_t function_ = nullptr;
  void* data_ = nullptr;
};

}  // namespace

File::File(Handle handle, std::string file_path) : Group(std::move(handle), "/"), file_path_(std::move(file_path)) {}

File File::create(const std::string& path) {
  QuietErrors quiet;
  return {file_handle(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), "create " + path), path};
}

File File::open_read_write(const std::string& path) {
  QuietErrors quiet;
  return {file_handle(H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT), "open " + path + " for writing"), path};
}

File File::open_read_only(const std::string& path) {
  QuietErrors quiet;
  return {file_handle(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), "open " + path), path};
}

void File::flush() { check(H5Fflush(id(), H5F_SCOPE_GLOBAL), "flush " + file_path_); }

void File::close() { close_handle("close " + file_path_); }

}  // namespace qsnn::experiments::h5
