import { boot } from "../ui/boot";
import { StaffApp } from "./StaffApp";

boot(<StaffApp />);
